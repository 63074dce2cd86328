/** 8-bit RGB pixels, row-major HWC: what every preprocessing step starts from. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}
