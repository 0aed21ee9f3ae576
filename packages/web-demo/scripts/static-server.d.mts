export interface StaticServer {
  url: string;
  close(): Promise<void>;
}
export function startStaticServer(root: string | URL, port?: number): Promise<StaticServer>;
