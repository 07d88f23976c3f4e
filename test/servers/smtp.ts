import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** A mail as the server took it: envelope, headers clawctl sets, body, and whether the session was under TLS. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  body: string;
  secure: boolean;
  user: string;
}

export interface SmtpServer {
  port: number;
  /** The server certificate's PEM file: a client trusts it through NODE_EXTRA_CA_CERTS. */
  caFile: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP submission server (smtp-server): STARTTLS offered with a certificate for
 * 127.0.0.1 made here, AUTH PLAIN/LOGIN only after STARTTLS (as every submission server),
 * one user. With `starttls: false` it offers no STARTTLS, as a misconfigured server would.
 */
export async function startSmtp(opts: { user: string; pass: string; starttls?: boolean }): Promise<SmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'clawctl-smtp-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    key: readFileSync(join(dir, 'key.pem')),
    cert: readFileSync(join(dir, 'cert.pem')),
    ...(opts.starttls === false ? { disabledCommands: ['STARTTLS'], hideSTARTTLS: true } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === opts.user && auth.password === opts.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (b: Buffer) => (raw += b.toString()));
      stream.on('end', () => {
        const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
        const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
        const subject = /^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject,
          body: rest.join('\n\n'),
          secure: session.secure,
          user: String(session.user ?? ''),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };
  return {
    port,
    caFile: join(dir, 'cert.pem'),
    mails,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        }),
      ),
  };
}
