// The tftp-cache is not written yet; this entry keeps the package building.
export const VERSION = "0.1.0";
