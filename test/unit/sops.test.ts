import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptSops } from 'sops-age';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgeIdentity } from '../../src/secrets/sops/age-keys.js';
import { creationRuleFor } from '../../src/secrets/sops/creation-rules.js';
import { createSopsFile, openSopsFile, readValue, removeValue, saveSopsFile, setValue } from '../../src/secrets/sops/sops-file.js';

const fixtures = join(import.meta.dirname, '../fixtures/sops');
// Written by the real sops 3.8.1 (from humphd/sops-age's test data, MIT): clawctl must read
// what sops writes, MAC included.
const bySops = join(fixtures, 'written-by-sops-3.8.1.sops.yaml');
const bySopsKey = join(fixtures, 'written-by-sops-3.8.1.agekey');

let dir: string;
const saved = { ...process.env };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawctl-sops-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'no-config');
  delete process.env.SOPS_AGE_KEY;
});
afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

async function withKey(identity: string) {
  const file = join(dir, `key-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, `# test key\n${identity}\n`, { mode: 0o600 });
  process.env.SOPS_AGE_KEY_FILE = file;
}

describe('reading files sops wrote', () => {
  it('decrypts every type and verifies the MAC', async () => {
    process.env.SOPS_AGE_KEY_FILE = bySopsKey;
    const f = await openSopsFile(bySops);
    expect(f.values).toEqual({ secret: 'this is a secret', string: 'string', int: 7, float: 3.14, boolean: true, complex: { value: 'this is a secret', array: ['one', 'two', 'three'] } });
    expect(readValue(f, ['complex', 'value'])).toBe('this is a secret');
    expect(readValue(f, ['complex'])).toBeUndefined();
  });

  it.each([
    [
      'two list items swapped (each still decrypts: same key path)',
      (t: string) => {
        const items = [...t.matchAll(/^ {4}- (ENC\[.*\])$/gm)].map((m) => m[1]!);
        return t.replace(items[0]!, '@@').replace(items[1]!, items[0]!).replace('@@', items[1]!);
      },
      /MAC mismatch/,
    ],
    ['a value removed', (t: string) => t.replace(/^string: .*\n/m, ''), /MAC mismatch/],
    ['a value moved to another key', (t: string) => t.replace(/^(string: )(.*)$/m, `$1${/^secret: (.*)$/m.exec(t)![1]}`), /the value of string does not decrypt/],
    ['lastmodified changed', (t: string) => t.replace('2024-03-25T22:08:10Z', '2024-03-25T22:08:11Z'), /MAC does not decrypt/],
    ['the mac replaced by another value', (t: string) => t.replace(/^( {2}mac: ).*$/m, `$1${/^secret: (.*)$/m.exec(t)![1]}`), /MAC does not decrypt/],
  ])('refuses a tampered file: %s', async (_name, tamper, error) => {
    process.env.SOPS_AGE_KEY_FILE = bySopsKey;
    const path = join(dir, 'tampered.sops.yaml');
    const original = await readFile(bySops, 'utf8');
    const changed = tamper(original);
    expect(changed).not.toBe(original);
    await writeFile(path, changed);
    await expect(openSopsFile(path)).rejects.toThrow(error);
  });

  it('says which keys it has when none is a recipient, and never prints a key', async () => {
    const other = await generateAgeIdentity();
    await withKey(other.identity);
    const err = await openSopsFile(bySops).catch((e: Error) => e);
    expect(String(err)).toMatch(/none of your age keys can decrypt/);
    expect(String(err)).toContain(other.recipient);
    expect(String(err)).not.toContain('AGE-SECRET-KEY');
  });

  it('says where it looked when there is no key at all', async () => {
    process.env.SOPS_AGE_KEY_FILE = join(dir, 'missing.txt');
    await expect(openSopsFile(bySops)).rejects.toThrow(/cannot read age key file .*missing\.txt/);
    delete process.env.SOPS_AGE_KEY_FILE;
    await expect(openSopsFile(bySops)).rejects.toThrow(/no age key to decrypt .* looked in SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, .*sops\/age\/keys\.txt/);
  });
});

describe('writing', () => {
  it('writes files that sops-age decrypts and whose MAC verifies; edits keep other ciphertexts', async () => {
    const alice = await generateAgeIdentity();
    const bob = await generateAgeIdentity();
    await writeFile(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: ^prod/.*\\.sops\\.yaml$\n    age: ${alice.recipient}\n  - path_regex: \\.sops\\.yaml$\n    age: >-\n      ${alice.recipient},\n      ${bob.recipient}\n`,
    );
    const path = join(dir, 'team.sops.yaml');
    const rule = await creationRuleFor(path);
    expect(rule.recipients).toEqual([alice.recipient, bob.recipient]);
    expect(rule.from).toMatch(/\.sops\.yaml:4$/);

    const f = await createSopsFile(path, rule.recipients, rule.rule);
    setValue(f, ['OPENAI_API_KEY'], 'sk-test-123');
    setValue(f, ['telegram', 'botToken'], '123456:ABC');
    await saveSopsFile(f);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('sk-test-123');
    expect(text).toMatch(/lastmodified: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
    expect(text).toContain('unencrypted_suffix: _unencrypted');

    for (const who of [alice, bob]) {
      expect(await decryptSops(text, { secretKey: who.identity, fileType: 'yaml' })).toEqual({ OPENAI_API_KEY: 'sk-test-123', telegram: { botToken: '123456:ABC' } });
      await withKey(who.identity);
      const again = await openSopsFile(path); // verifies the MAC
      expect(readValue(again, ['telegram', 'botToken'])).toBe('123456:ABC');
    }

    const again = await openSopsFile(path);
    setValue(again, ['OPENAI_API_KEY'], 'sk-test-456');
    expect(removeValue(again, ['nope'])).toBe(false);
    await saveSopsFile(again);
    const edited = await readFile(path, 'utf8');
    const line = (t: string, key: string) => new RegExp(`^\\s*${key}: (.*)$`, 'm').exec(t)![1];
    expect(line(edited, 'botToken')).toBe(line(text, 'botToken'));
    expect(line(edited, 'OPENAI_API_KEY')).not.toBe(line(text, 'OPENAI_API_KEY'));
    expect(readValue(await openSopsFile(path), ['OPENAI_API_KEY'])).toBe('sk-test-456');

    const last = await openSopsFile(path);
    expect(removeValue(last, ['OPENAI_API_KEY'])).toBe(true);
    await saveSopsFile(last);
    expect((await openSopsFile(path)).values).toEqual({ telegram: { botToken: '123456:ABC' } });

    expect((await creationRuleFor(join(dir, 'prod', 'x.sops.yaml'))).recipients).toEqual([alice.recipient]);
  });

  it('names the .sops.yaml line of a rule with a bad recipient', async () => {
    const sub = await mkdtemp(join(dir, 'bad-'));
    await writeFile(join(sub, '.sops.yaml'), 'creation_rules:\n  - path_regex: x\n    age: age1nope\n  - age: age1notarecipient\n');
    await expect(creationRuleFor(join(sub, 'a.sops.yaml'))).rejects.toThrow(/\.sops\.yaml:4: "age1notarecipient" is not an age recipient/);
  });
});
