/** A concern's kernel names, from a record the compiler checks against its signatures: none missing, none extra. */
export function kernelNames<Signatures>(record: Record<keyof Signatures & string, true>): (keyof Signatures & string)[] {
  return Object.keys(record) as (keyof Signatures & string)[];
}
