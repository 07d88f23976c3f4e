import { simpleGit, type SimpleGit } from 'simple-git';

/**
 * The variables a user sets to tell git who they are, how to reach a remote and which
 * config to read. simple-git drops every ambient GIT_* variable unless allowed; without
 * these, a CI job's deploy key (GIT_SSH_COMMAND) or a bot's identity would be ignored.
 */
const USER_GIT_ENV = [
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_SSH_VARIANT',
  'GIT_ASKPASS',
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
];

/** simple-git at a directory, honouring the user's git identity, SSH and config variables. */
export function gitAt(dir: string, config: string[] = []): SimpleGit {
  return simpleGit(dir, { config, allowEnvironment: USER_GIT_ENV });
}
