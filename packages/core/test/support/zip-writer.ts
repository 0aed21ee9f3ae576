/**
 * Zip archives for tests: build them from entries (stored, or deflated with zlib) and take a
 * well-formed one apart, so a test can change one thing in a torch.save archive. The code is
 * weight-fuzz.mjs's, which the fuzz script shares.
 */

export { writeZip, readZip, type ZipEntryInput as ZipInput } from './weight-fuzz.mjs';
