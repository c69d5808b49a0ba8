export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

/** `heic` is the HEIF container whatever its codec: HEVC from phones, or AV1. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'heic';

const startsWith = (bytes: Buffer, signature: number[], offset = 0) => signature.every((b, i) => bytes[offset + i] === b);
const ascii = (bytes: Buffer, from: number, to: number) => bytes.subarray(from, to).toString('latin1');

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis']);

/**
 * The brands of an ISO-BMFF `ftyp` box: the major one, then the compatible ones. A HEIF may name
 * its kind only among the compatible brands (sharp writes AV1 HEIF as `avif`, others use `mif1`).
 */
function ftypBrands(bytes: Buffer): string[] {
  if (bytes.length < 12 || ascii(bytes, 4, 8) !== 'ftyp') return [];
  const end = Math.min(bytes.readUInt32BE(0), bytes.length, 256);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

/**
 * What the bytes really are, judged by their signature and never by a name or a declared type:
 * a text file called photo.jpg is not a JPEG.
 */
export function sniffImageFormat(bytes: Buffer): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (ftypBrands(bytes).some((brand) => HEIF_BRANDS.has(brand))) return 'heic';
  return null;
}
