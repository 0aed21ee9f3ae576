export const CHROMIUM: string;
export const CHROMIUM_FLAGS: string[];
export function requireChromium(path?: string): void;
export function findBinDir(root: string): string | undefined;
