// The benchmark's columns: the router setups a download is timed through.
export const COLUMNS = ["origin direct", "engine, cache off", "cache miss", "cache hit", "tftpd-hpa on the router"] as const;
export type Column = (typeof COLUMNS)[number];
