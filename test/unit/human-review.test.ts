import { describe, expect, it } from 'vitest';
import { humanApprovers, isAgent, type PullRequestReviews } from '../../src/policy/human-review.js';

const HEAD = 'c0ffee0000000000000000000000000000000000';
const OLD = 'beef000000000000000000000000000000000000';
const person = (login: string) => ({ login, type: 'User' });
const pr = (author: { login: string; type: string }, reviews: [ReturnType<typeof person>, string, string?][]): PullRequestReviews => ({
  number: 7,
  author,
  headSha: HEAD,
  reviews: reviews.map(([user, state, commitId]) => ({ user, state, commitId: commitId ?? HEAD })),
});

describe('the human review rule: who is an agent, whose approval stands', () => {
  it.each([
    { account: { login: 'fleet-operator[bot]', type: 'Bot' }, patterns: [], agent: true },
    { account: person('Fleet-Operator'), patterns: ['fleet-*'], agent: true },
    { account: person('alice'), patterns: ['fleet-*'], agent: false },
  ])('$account.login ($account.type) with $patterns: agent $agent', ({ account, patterns, agent }) => {
    expect(isAgent(account, patterns)).toBe(agent);
  });

  const agent = person('fleet-operator');
  it.each([
    { name: 'no review', reviews: [], approvers: [] },
    { name: 'a person approves the head', reviews: [[person('alice'), 'APPROVED']], approvers: ['alice'] },
    { name: 'an approval of an older commit', reviews: [[person('alice'), 'APPROVED', OLD]], approvers: [] },
    {
      name: 'a comment after an approval keeps it',
      reviews: [
        [person('alice'), 'APPROVED'],
        [person('alice'), 'COMMENTED'],
      ],
      approvers: ['alice'],
    },
    {
      name: 'changes requested after it withdraws it',
      reviews: [
        [person('alice'), 'APPROVED'],
        [person('alice'), 'CHANGES_REQUESTED'],
      ],
      approvers: [],
    },
    { name: 'a dismissed approval', reviews: [[person('alice'), 'DISMISSED']], approvers: [] },
    { name: 'another agent approving', reviews: [[person('fleet-helper'), 'APPROVED']], approvers: [] },
    { name: 'a GitHub App approving', reviews: [[{ login: 'ci[bot]', type: 'Bot' }, 'APPROVED']], approvers: [] },
    { name: 'the author approving its own', reviews: [[agent, 'APPROVED']], approvers: [] },
  ] as { name: string; reviews: [ReturnType<typeof person>, string, string?][]; approvers: string[] }[])('$name', ({ reviews, approvers }) => {
    expect(humanApprovers(pr(agent, reviews), ['fleet-*'])).toEqual(approvers);
  });
});
