// A single-page app: nothing renders on a server, the shell is static and precachable.
export const ssr = false;
export const prerender = false;
