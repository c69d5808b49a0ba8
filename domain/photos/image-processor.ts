import type { ImageFormat } from './image-types.ts';

export interface DerivedImage {
  bytes: Buffer;
  width: number;
  height: number;
  contentType: string;
}

/** A port: turns an original photo into what listings show, with no metadata (EXIF, GPS) kept. */
export interface ImageProcessor {
  derive(bytes: Buffer, format: ImageFormat): Promise<{ display: DerivedImage; thumbnail: DerivedImage }>;
}

/** The bytes are not an image we can use: a final answer, never worth retrying. */
export class UnusableImageError extends Error {
  readonly code: 'undecodable' | 'too-many-pixels';

  constructor(code: 'undecodable' | 'too-many-pixels', message: string) {
    super(message);
    this.name = 'UnusableImageError';
    this.code = code;
  }
}
