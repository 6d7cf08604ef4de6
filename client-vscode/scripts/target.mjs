// The vsce platform target for this machine, e.g. linux-x64 or darwin-arm64.
import { existsSync } from "node:fs";

export function vsceTarget(platform = process.platform, arch = process.arch) {
  const os = platform === "linux" && existsSync("/etc/alpine-release") ? "alpine" : platform;
  const cpu = arch === "arm" ? "armhf" : arch;
  const target = `${os}-${cpu}`;
  const known = [
    "win32-x64", "win32-arm64", "linux-x64", "linux-arm64", "linux-armhf",
    "alpine-x64", "alpine-arm64", "darwin-x64", "darwin-arm64",
  ];
  if (!known.includes(target)) {
    throw new Error(`no VS Code platform target for ${platform}/${arch}`);
  }
  return target;
}
