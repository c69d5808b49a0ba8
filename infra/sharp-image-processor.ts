import decodeHeic from 'heic-decode';
import sharp, { type Sharp } from 'sharp';
import { UnusableImageError, type DerivedImage, type ImageProcessor } from '../domain/photos/image-processor.ts';
import type { ImageFormat } from '../domain/photos/image-types.ts';

export interface ImageSettings {
  /** Decoding more pixels than this is refused before it starts: decompression bombs stay small. */
  maxPixels: number;
  displaySize: number;
  thumbnailSize: number;
}

/** The codec inside a HEIF container, as its header says (reading it decodes nothing). */
const heifCodec = async (bytes: Buffer) => (await sharp(bytes).metadata().catch(() => undefined))?.compression;

/**
 * libvips through sharp (prebuilt, no install scripts). HEIC from phones is HEVC-coded, which the
 * prebuilt libvips cannot decode, so it goes through libheif compiled to WebAssembly first; AV1 in
 * HEIF, which that libheif cannot decode, libvips can.
 * Output is JPEG without metadata: sharp drops EXIF (and its GPS position) unless asked to keep it.
 */
export function createSharpImageProcessor(settings: ImageSettings): ImageProcessor {
  const open = async (bytes: Buffer, format: ImageFormat): Promise<Sharp> => {
    if (format !== 'heic' || (await heifCodec(bytes)) === 'av1') return sharp(bytes, { limitInputPixels: settings.maxPixels, failOn: 'error' });
    let images;
    try {
      images = await decodeHeic.all({ buffer: bytes });
    } catch (error) {
      throw new UnusableImageError('undecodable', `not a readable HEIC image: ${(error as Error).message}`);
    }
    try {
      const first = images[0]!;
      if (first.width * first.height > settings.maxPixels) throw new UnusableImageError('too-many-pixels', 'the image has too many pixels');
      const { width, height, data } = await first.decode();
      return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } });
    } finally {
      images.dispose();
    }
  };

  const render = async (image: Sharp): Promise<DerivedImage> => {
    const { data, info } = await image.jpeg({ quality: 82, mozjpeg: true }).toBuffer({ resolveWithObject: true });
    return { bytes: data, width: info.width, height: info.height, contentType: 'image/jpeg' };
  };

  return {
    async derive(bytes, format) {
      try {
        // rotate() applies the EXIF orientation before the metadata is dropped; JPEG has no alpha, and
        // transparent pixels (a PNG cut-out) would otherwise come out black.
        const base = (await open(bytes, format)).rotate().flatten({ background: '#ffffff' });
        const [display, thumbnail] = await Promise.all([
          render(base.clone().resize(settings.displaySize, settings.displaySize, { fit: 'inside', withoutEnlargement: true })),
          render(base.clone().resize(settings.thumbnailSize, settings.thumbnailSize, { fit: 'cover', position: 'attention' })),
        ]);
        return { display, thumbnail };
      } catch (error) {
        if (error instanceof UnusableImageError) throw error;
        const message = (error as Error).message ?? String(error);
        if (/pixel limit/i.test(message)) throw new UnusableImageError('too-many-pixels', message);
        // libvips reports every kind of broken input as an Error from the pipeline.
        throw new UnusableImageError('undecodable', message);
      }
    },
  };
}
