export { buildLuaPackage, readLuaPackageConfig, transpile } from "./build.ts";
export { checkIntegerOnly, findFloatsInListing, formatFinding, luacListing } from "./integer-check.ts";
export type { FloatFinding } from "./integer-check.ts";
