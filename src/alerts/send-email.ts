import type { AlertMessage } from './message.js';
import { SEND_TIMEOUT_MS, SendError, type Sender } from './sender.js';

export interface SmtpSettings {
  host: string;
  port: number;
  auth?: { user: string; pass: string };
  from: string;
  to: string[];
}

/**
 * SMTP submission with STARTTLS required: a server that does not offer it fails the send,
 * never a plaintext one (and never credentials in the clear). The server's certificate is
 * checked against the system's CAs (NODE_EXTRA_CA_CERTS adds a private CA).
 */
export function emailSender(s: SmtpSettings): Sender {
  return {
    async send(m: AlertMessage) {
      // Loaded when mail is sent: the commands that never send mail do not pay for it.
      const { createTransport } = await import('nodemailer');
      const transport = createTransport({
        host: s.host,
        port: s.port,
        secure: false,
        requireTLS: true,
        ...(s.auth ? { auth: s.auth } : {}),
        connectionTimeout: SEND_TIMEOUT_MS,
        greetingTimeout: SEND_TIMEOUT_MS,
        socketTimeout: SEND_TIMEOUT_MS,
      });
      try {
        await transport.sendMail({ from: s.from, to: s.to, subject: m.title, text: m.text, messageId: `<${encodeURIComponent(m.id)}@clawctl>` });
      } catch (err) {
        const e = err as { message?: string; responseCode?: number };
        // A 5xx SMTP reply is the server's final word (bad login, a refused address); the rest may pass.
        throw new SendError(e.message ?? 'the SMTP send failed', !(e.responseCode !== undefined && e.responseCode >= 500));
      } finally {
        transport.close();
      }
    },
  };
}
