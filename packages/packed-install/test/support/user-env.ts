// Imported by the global setup too, which must not import vitest: nothing else here.
/**
 * The environment of a user's shell: this process's, without what the workspace adds. pnpm's
 * scripts set NODE_PATH to the workspace's hoisted packages, through which Node would find
 * @dlp/core-linux-x64-gnu even in an install that lacks it; npm_* and pnpm's settings would
 * steer npm; DLP_* are the workspace's hints.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (key === 'NODE_PATH' || lower.startsWith('npm_') || lower.startsWith('pnpm_') || key.startsWith('DLP_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
