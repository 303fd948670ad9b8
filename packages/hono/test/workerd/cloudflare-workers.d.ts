// The part of workerd's `cloudflare:workers` module the Workers tests use.
declare module 'cloudflare:workers' {
  export const exports: { default: { fetch(input: string, init?: RequestInit): Promise<Response> } };
}
