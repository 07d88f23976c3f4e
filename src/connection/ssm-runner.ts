/**
 * The program every SSM command runs on the host (as spec.ssm.user, under Node.js): SSM has no
 * stdin and keeps each command's parameters and output in its command history, so what would
 * travel over an SSH channel travels here sealed, and only this program holds the keys.
 *
 * It reads one job (base64 JSON) on its stdin, from the document's heredoc:
 *   {op: 'inbox'}                         a one-use X25519 key pair in a 0700 temp dir; prints the public key
 *   {op: 'put', inbox, data}              append part of a sealed stdin to the inbox (payloads past one command)
 *   {op: 'exec', id, argv, runPub, seconds, budget, inbox?, data?}
 *                                         open the sealed stdin (the key is deleted first), run argv with it,
 *                                         seal {code, stdout, stderr} to clawctl's per-run key, print it,
 *                                         keeping what exceeds `budget` characters in a 0700 temp dir
 *   {op: 'chunk', dir, offset, budget}    print more of a kept result; the last chunk removes it
 *
 * Sealing is ECIES: X25519 with a fresh key, HKDF-SHA256, AES-256-GCM with the job id as AAD;
 * src/connection/ssm-seal.ts is the other side. Plain CommonJS for `node -e`, Node >= 16.
 */
export const SSM_RUNNER_JS = String.raw`'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const cp = require('node:child_process');

const INFO = 'clawctl-ssm-v1';
const b64u = (b) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const pubKey = (raw) => crypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(raw) }, format: 'jwk' });
const rawPub = (key) => Buffer.from(key.export({ format: 'jwk' }).x, 'base64url');
function keyFor(priv, peerRaw, salt, purpose) {
  const shared = crypto.diffieHellman({ privateKey: priv, publicKey: pubKey(peerRaw) });
  return Buffer.from(crypto.hkdfSync('sha256', shared, salt, INFO + ' ' + purpose, 32));
}
function seal(plain, recipientRaw, purpose, aad) {
  const eph = crypto.generateKeyPairSync('x25519');
  const ephRaw = rawPub(eph.publicKey);
  const key = keyFor(eph.privateKey, recipientRaw, Buffer.concat([ephRaw, recipientRaw]), purpose);
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([ephRaw, iv, c.getAuthTag(), body]);
}
function open(blob, priv, purpose, aad) {
  const ephRaw = blob.subarray(0, 32);
  const myRaw = rawPub(crypto.createPublicKey(priv));
  const key = keyFor(priv, ephRaw, Buffer.concat([ephRaw, myRaw]), purpose);
  const d = crypto.createDecipheriv('aes-256-gcm', key, blob.subarray(32, 44));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(blob.subarray(44, 60));
  return Buffer.concat([d.update(blob.subarray(60)), d.final()]);
}
function fail(msg) {
  process.stderr.write('clawctl-ssm: ' + msg + '\n');
  process.exit(125);
}
const inboxDir = (dir) => {
  if (typeof dir !== 'string' || !/^[^\0]*clawctl-ssm-[A-Za-z0-9]+$/.test(dir) || path.dirname(dir) !== os.tmpdir()) fail('not an inbox: ' + dir);
  return dir;
};

const job = JSON.parse(Buffer.from(fs.readFileSync(0, 'utf8').replace(/\s+/g, ''), 'base64').toString('utf8'));
const home = os.userInfo().homedir;

if (job.op === 'inbox') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawctl-ssm-'));
  const pair = crypto.generateKeyPairSync('x25519');
  fs.writeFileSync(path.join(dir, 'key'), pair.privateKey.export({ format: 'der', type: 'pkcs8' }), { mode: 0o600 });
  process.stdout.write('clawctl-ssm inbox ' + dir + ' ' + rawPub(pair.publicKey).toString('base64') + '\n');
} else if (job.op === 'put') {
  fs.appendFileSync(path.join(inboxDir(job.inbox), 'in'), job.data, { mode: 0o600 });
  process.stdout.write('clawctl-ssm put\n');
} else if (job.op === 'chunk') {
  const dir = inboxDir(job.dir);
  const all = fs.readFileSync(path.join(dir, 'out'), 'utf8');
  process.stdout.write('clawctl-ssm chunk\n' + all.slice(job.offset, job.offset + job.budget));
  if (job.offset + job.budget >= all.length) fs.rmSync(dir, { recursive: true, force: true });
} else if (job.op === 'exec') {
  let stdin = Buffer.alloc(0);
  if (job.inbox) {
    const dir = inboxDir(job.inbox);
    let sealed;
    let priv;
    try {
      sealed = (fs.existsSync(path.join(dir, 'in')) ? fs.readFileSync(path.join(dir, 'in'), 'utf8') : '') + (job.data || '');
      priv = crypto.createPrivateKey({ key: fs.readFileSync(path.join(dir, 'key')), format: 'der', type: 'pkcs8' });
    } finally {
      // One use: the key is gone before anything runs, whatever happens next.
      fs.rmSync(dir, { recursive: true, force: true });
    }
    try {
      stdin = open(Buffer.from(sealed, 'base64'), priv, 'stdin', job.id);
    } catch (err) {
      fail('the sealed input did not open (' + err.message + '): it was not sealed for this inbox');
    }
  }
  const env = Object.assign({}, process.env, { HOME: home, USER: os.userInfo().username, LOGNAME: os.userInfo().username });
  const runtime = '/run/user/' + os.userInfo().uid;
  if (!env.XDG_RUNTIME_DIR && fs.existsSync(runtime)) env.XDG_RUNTIME_DIR = runtime;
  const child = cp.spawn(job.argv[0], job.argv.slice(1), { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const out = [];
  const err = [];
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { child.kill('SIGKILL'); }
  }, job.seconds * 1000);
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => err.push(b));
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);
  child.on('error', (e) => fail('cannot run ' + job.argv[0] + ': ' + e.message));
  child.on('close', (code, signal) => {
    clearTimeout(timer);
    const o = Buffer.concat(out);
    const e = Buffer.concat(err);
    const exit = code === null ? (signal ? 128 : 1) : code;
    const head = Buffer.from(JSON.stringify({ code: exit, timedOut, out: o.length, err: e.length }) + '\n');
    const text = seal(Buffer.concat([head, o, e]), Buffer.from(job.runPub, 'base64'), 'output', job.id).toString('base64');
    if (text.length <= job.budget) {
      process.stdout.write('clawctl-ssm sealed - ' + text.length + '\n' + text);
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawctl-ssm-'));
      fs.writeFileSync(path.join(dir, 'out'), text, { mode: 0o600 });
      process.stdout.write('clawctl-ssm sealed ' + dir + ' ' + text.length + '\n' + text.slice(0, job.budget));
    }
    // SSM shows the script's own status: Failed with its exit code, as over SSH.
    process.exitCode = timedOut ? 124 : Math.min(exit, 255);
  });
} else {
  fail('unknown job ' + job.op);
}
`;
