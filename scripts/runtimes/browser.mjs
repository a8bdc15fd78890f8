// Run by scripts/runtimes-check.sh: serves page/ (check.mjs bundled for browsers) on loopback port argv[2], opens it
// in headless Chromium and prints what the page printed; exits 1 unless it printed "runtime ok".
import { createServer } from "node:http"
import { readFileSync } from "node:fs"
import { chromium } from "playwright-core"

const port = Number(process.argv[2])
const pages = {
  "/": ["text/html", '<!doctype html><html><body><script type="module" src="/check.js"></script></body></html>'],
  "/check.js": ["text/javascript", readFileSync("page/check.js", "utf8")]
}
const server = createServer((request, response) => {
  const [type, body] = pages[request.url] ?? ["text/plain", "not found"]
  response.writeHead(pages[request.url] ? 200 : 404, { "content-type": type })
  response.end(body)
})
await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve))
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium-headless-shell", args: ["--no-sandbox"] })
const lines = []
let ok = false
try {
  const page = await browser.newPage()
  const done = new Promise((resolve) => {
    page.on("console", (message) => {
      lines.push(message.text())
      if (message.text() === "runtime ok") resolve(true)
    })
    page.on("pageerror", (error) => {
      lines.push(`page error: ${error.message}`)
      resolve(false)
    })
    setTimeout(() => resolve(false), 30_000)
  })
  await page.goto(`http://127.0.0.1:${port}/`)
  ok = await done
} finally {
  await browser.close()
  server.close()
}
console.log(lines.join("\n"))
process.exit(ok ? 0 : 1)
