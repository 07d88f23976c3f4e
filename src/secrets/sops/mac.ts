import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { encryptedType, isEncrypted } from './cipher.js';
import { shouldBeEncrypted, type EncryptionRule } from './metadata.js';

/** A leaf of a SOPS tree: its key path as SOPS sees it, and where it sits in the JS value. */
export interface Leaf {
  /** Map keys only: SOPS leaves list indices out of the additional data and the MAC walk. */
  keyPath: string[];
  /** Keys and indices, to find the value in the decrypted tree. */
  valuePath: (string | number)[];
  /** The stored scalar: an `ENC[…]` string, or a value the rules leave in plaintext. */
  stored: unknown;
  encrypted: boolean;
}

/** Every non-null leaf of the document outside `sops:`, in file order (the MAC's order). */
export function leaves(doc: Document, rule: EncryptionRule): Leaf[] {
  const out: Leaf[] = [];
  const walk = (node: unknown, keyPath: string[], valuePath: (string | number)[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (keyPath.length === 0 && key === 'sops') continue;
        walk(pair.value, [...keyPath, key], [...valuePath, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, keyPath, [...valuePath, i]));
    } else if (isScalar(node) && node.value !== null) {
      out.push({ keyPath, valuePath, stored: node.value, encrypted: shouldBeEncrypted(keyPath, rule) });
    } else if (node !== null && node !== undefined && !isScalar(node)) {
      throw new Error(`unsupported YAML node at ${keyPath.join('.') || '(root)'}: ${(node as Node).constructor.name}`);
    }
  };
  walk(doc.contents, [], []);
  return out;
}

// sops.go MACOnlyEncryptedInitialization: a MAC over encrypted values only never equals one over all.
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

/**
 * The SOPS MAC (sops.go Tree.Encrypt/Decrypt): SHA-512 over the plaintext of every leaf in
 * file order, as upper-case hex. `plaintext` gives a leaf's decrypted value.
 */
export function computeMac(all: readonly Leaf[], plaintext: (leaf: Leaf) => unknown, macOnlyEncrypted: boolean): string {
  const hash = createHash('sha512');
  if (macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  for (const leaf of all) {
    if (macOnlyEncrypted && !leaf.encrypted) continue;
    const type = leaf.encrypted && isEncrypted(leaf.stored) ? encryptedType(leaf.stored) : undefined;
    hash.update(goBytes(leaf.encrypted ? plaintext(leaf) : leaf.stored, type));
  }
  return hash.digest('hex').toUpperCase();
}

/** sops.go ToBytes: how Go's SOPS turns a decoded value into the bytes it hashes. */
function goBytes(value: unknown, type: string | undefined): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (typeof value === 'boolean') return Buffer.from(value ? 'True' : 'False');
  if (typeof value === 'number') return Buffer.from(type === 'float' || !Number.isInteger(value) ? goFloat(value) : String(value));
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new Error(`cannot authenticate a value of type ${typeof value}`);
}

/** strconv.FormatFloat(v, 'f', -1, 64): the shortest round-trip digits, never an exponent. */
function goFloat(v: number): string {
  const s = String(v);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expText] = m;
  const digits = int! + frac;
  const point = int!.length + Number(expText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
