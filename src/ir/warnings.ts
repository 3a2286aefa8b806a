/** Conversion warnings: what a target format could not express, reported instead of dropped silently. */

/** Why a warning was raised. */
export type WarningCode =
  /** Content or a parameter the target format cannot express was left out. */
  | 'dropped'
  /** Something was converted with loss (e.g. a structured value flattened to text). */
  | 'lossy'
  /** The input had a shape the converter did not expect; it was tolerated. */
  | 'unexpected';

/** One thing a converter had to leave out or change. Never holds secrets or whole bodies. */
export interface ConversionWarning {
  code: WarningCode;
  message: string;
  /** JSON path of the field concerned, when there is one (`messages[2].content[0]`). */
  path?: string;
}

/** A converted value plus the warnings raised on the way. */
export interface Converted<T> {
  value: T;
  warnings: ConversionWarning[];
}

/** Callback through which stream steps report warnings as they go. */
export type WarningSink = (warning: ConversionWarning) => void;
