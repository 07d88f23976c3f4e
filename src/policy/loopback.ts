/**
 * Whether a URL points at the machine itself (127.0.0.0/8, ::1, localhost): a model server
 * there (Ollama, LM Studio, vLLM) is reached by no one else, so the key sent to it is a
 * formality. WHATWG URL parsing normalises 127.1, 0x7f.0.0.1 and [0:0::1] first.
 */
export function isLoopbackUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let host: string;
  try {
    host = new URL(value.includes('://') ? value : `http://${value}`).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false; // ${OLLAMA_URL} and the like: where it points is not known here
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true; // RFC 6761
  if (/^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  return host === '[::1]' || /^\[::ffff:7f[\da-f]{2}:[\da-f]{1,4}\]$/.test(host);
}
