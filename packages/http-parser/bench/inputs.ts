// The benchmark's inputs, shared by bench.ts (times) and callgrind.ts
// (machine instructions per message).
const crlf = (lines: string[]) => lines.join("\r\n");

/** A browser's navigation request (Chrome 124 headers, as sent over HTTP/1.1). */
export const REQUEST = crlf([
  "GET /wiki/Hypertext_Transfer_Protocol HTTP/1.1",
  "Host: en.wikipedia.org",
  "Connection: keep-alive",
  "Cache-Control: max-age=0",
  "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"",
  "sec-ch-ua-mobile: ?0",
  "sec-ch-ua-platform: \"Linux\"",
  "Upgrade-Insecure-Requests: 1",
  "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
  "Sec-Fetch-Site: none",
  "Sec-Fetch-Mode: navigate",
  "Sec-Fetch-User: ?1",
  "Sec-Fetch-Dest: document",
  "Accept-Encoding: gzip, deflate, br, zstd",
  "Accept-Language: en-US,en;q=0.9",
  "Cookie: WMF-Last-Access=23-Nov-2026; GeoIP=US:CA:San_Francisco:37.77:-122.42:v4; enwikimwuser-sessionId=3c1bd2e8a8f2b4c0a1d7",
  "", "",
]);

/** nginx 1.22 serving its default index.html (615 bytes). */
const INDEX_HTML = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n".padEnd(615, "x");
export const RESPONSE = crlf([
  "HTTP/1.1 200 OK",
  "Server: nginx/1.22.1",
  "Date: Mon, 23 Nov 2026 03:00:00 GMT",
  "Content-Type: text/html",
  "Content-Length: 615",
  "Last-Modified: Mon, 23 Nov 2026 02:00:00 GMT",
  "Connection: keep-alive",
  "ETag: \"6922a8a0-267\"",
  "Accept-Ranges: bytes",
  "", "",
]) + INDEX_HTML;

/** 1 MiB in chunks of 8 KiB, as nginx sends a proxied body of unknown length. */
export function chunkedMiB(): string {
  const head = crlf([
    "HTTP/1.1 200 OK", "Server: nginx/1.22.1", "Date: Mon, 23 Nov 2026 03:00:00 GMT",
    "Content-Type: application/octet-stream", "Transfer-Encoding: chunked", "Connection: keep-alive", "", "",
  ]);
  const chunk = `2000\r\n${"0123456789abcdef".repeat(512)}\r\n`;
  return head + chunk.repeat(128) + "0\r\n\r\n";
}
