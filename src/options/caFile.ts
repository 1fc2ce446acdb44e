import { X509Certificate } from 'node:crypto';
import { OptionsError } from './optionsError';
import { readInputFile } from './regularFile';

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * An extra CA file, read and checked now: TLS would otherwise take a file that is not PEM as
 * "no extra CA" (or fail on the first request with a message about the handshake, not the file).
 * Every certificate block must parse; the text is what the transport adds to the trusted roots.
 */
export function readCaFile(label: string, path: string): string {
  const bytes = readInputFile(label, path);
  const text = bytes.toString('utf8');
  const blocks = text.match(CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new OptionsError('PemNoCertificate', [label, path], `${label} "${path}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new OptionsError('PemCertificateInvalid', [label, path, String(i + 1)], `${label} "${path}": certificate ${i + 1} is not a valid PEM certificate`);
    }
  });
  return text;
}
