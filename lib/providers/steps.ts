/**
 * Rounding to a venue's increments (tick for prices, step for quantities), shared by the paper broker and
 * the live pre-trade check so both send the same numbers. A step of 0 (unknown) leaves the value as is.
 */

/** Down to a multiple of `step` (a buy's limit price, any quantity). */
export function floorTo(value: number, step: number): number {
  return step > 0 ? Number((Math.floor(value / step + 1e-9) * step).toFixed(10)) : value;
}

/** Up to a multiple of `step` (a sell's limit price). */
export function ceilTo(value: number, step: number): number {
  return step > 0 ? Number((Math.ceil(value / step - 1e-9) * step).toFixed(10)) : value;
}
