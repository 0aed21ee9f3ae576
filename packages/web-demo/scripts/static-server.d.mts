export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export interface StaticServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** More folders to serve under URL prefixes, e.g. { '/data/': '/path/to/cifar-10-batches-bin' }. */
  mounts?: Record<string, string | URL>;
  /** Send the COOP/COEP/CORP headers that make the page cross-origin isolated (default true). */
  isolated?: boolean;
}
export const ISOLATION_HEADERS: Record<string, string>;
export function startStaticServer(root: string | URL, options?: number | StaticServerOptions): Promise<StaticServer>;
