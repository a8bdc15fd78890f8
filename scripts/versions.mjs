/**
 * The version each package will be released as: its package.json version bumped by the pending changesets
 * (.changeset/*.md, the largest bump per package), as `changeset version` computes it. Nothing has been released
 * past these, so no `@since` tag may name a later version (docs/examples/packaging.test.ts checks it).
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../", import.meta.url))
const order = { patch: 1, minor: 2, major: 3 }

/** Package name -> the largest pending bump. */
export const pendingBumps = () => {
  const bumps = {}
  const dir = `${root}.changeset`
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md")) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(`${dir}/${file}`, "utf8"))
    if (front === null) continue
    for (const line of front[1].split("\n")) {
      const match = /^"([^"]+)":\s*(patch|minor|major)\s*$/.exec(line.trim())
      if (match === null) continue
      const [, name, bump] = match
      if ((order[bump] ?? 0) > (order[bumps[name]] ?? 0)) bumps[name] = bump
    }
  }
  return bumps
}

export const bump = (version, kind) => {
  const [major, minor, patch] = version.split(".").map(Number)
  if (kind === "major") return `${major + 1}.0.0`
  if (kind === "minor") return `${major}.${minor + 1}.0`
  if (kind === "patch") return `${major}.${minor}.${patch + 1}`
  return version
}

/** Package directory name -> the version it will be released as. */
export const nextVersions = () => {
  const bumps = pendingBumps()
  const versions = {}
  for (const dir of readdirSync(`${root}packages`)) {
    let pkg
    try {
      pkg = JSON.parse(readFileSync(`${root}packages/${dir}/package.json`, "utf8"))
    } catch {
      continue
    }
    if (pkg.private === true) continue
    versions[dir] = bump(pkg.version, bumps[pkg.name])
  }
  return versions
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(nextVersions())
