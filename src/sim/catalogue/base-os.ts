/** @module base-os: the base distributions images build on — /etc/os-release, shell flavour and the tools each lacks. */
import type { BaseOS } from './catalogue-image.js'

const debianNames: Record<string, string> = { '11': 'bullseye', '12': 'bookworm', '13': 'trixie' }

/** Debian's /etc/os-release (debian:12 and everything `FROM debian:bookworm-slim`). */
export function debianRelease(release = '12'): string {
  const codename = debianNames[release] ?? 'bookworm'
  return `PRETTY_NAME="Debian GNU/Linux ${release} (${codename})"\nNAME="Debian GNU/Linux"\nVERSION_ID="${release}"\nVERSION="${release} (${codename})"\nVERSION_CODENAME=${codename}\n${release === '13' ? 'DEBIAN_VERSION_FULL=13.0\n' : ''}ID=debian\nHOME_URL="https://www.debian.org/"\nSUPPORT_URL="https://www.debian.org/support"\nBUG_REPORT_URL="https://bugs.debian.org/"\n`
}

const ubuntuNames: Record<string, [codename: string, name: string, full: string]> = {
  '20.04': ['focal', 'Focal Fossa', '20.04.6 LTS'],
  '22.04': ['jammy', 'Jammy Jellyfish', '22.04.5 LTS'],
  '24.04': ['noble', 'Noble Numbat', '24.04.3 LTS'],
  '25.04': ['plucky', 'Plucky Puffin', '25.04'],
}

/** Ubuntu's /etc/os-release for a release (`24.04`). */
export function ubuntuRelease(release = '24.04'): string {
  const [codename, name, full] = ubuntuNames[release] ?? ubuntuNames['24.04']
  return `PRETTY_NAME="Ubuntu ${full}"\nNAME="Ubuntu"\nVERSION_ID="${release}"\nVERSION="${full} (${name})"\nVERSION_CODENAME=${codename}\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\nSUPPORT_URL="https://help.ubuntu.com/"\nBUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\nPRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"\nUBUNTU_CODENAME=${codename}\n${release === '24.04' || release === '25.04' ? 'LOGO=ubuntu-logo\n' : ''}`
}

/** Alpine's /etc/os-release (`3.22.1`). */
export function alpineRelease(version = '3.22.1'): string {
  const minor = version.split('.').slice(0, 2).join('.')
  return `NAME="Alpine Linux"\nID=alpine\nVERSION_ID=${version}\nPRETTY_NAME="Alpine Linux v${minor}"\nHOME_URL="https://alpinelinux.org/"\nBUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"\n`
}

/** Oracle Linux 9 slim (the mysql images). */
export const oracleRelease = `NAME="Oracle Linux Server"\nVERSION="9.6"\nID="ol"\nID_LIKE="fedora"\nVARIANT="Server"\nVARIANT_ID="server"\nVERSION_ID="9.6"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Oracle Linux Server 9.6"\nANSI_COLOR="0;31"\nCPE_NAME="cpe:/o:oracle:linux:9:6:server"\nHOME_URL="https://linux.oracle.com/"\nBUG_REPORT_URL="https://github.com/oracle/oracle-linux"\n\nORACLE_BUGZILLA_PRODUCT="Oracle Linux 9"\nORACLE_BUGZILLA_PRODUCT_VERSION=9.6\nORACLE_SUPPORT_PRODUCT="Oracle Linux"\nORACLE_SUPPORT_PRODUCT_VERSION=9.6\n`

/** BusyBox's (prom/prometheus is `FROM quay.io/prometheus/busybox`). */
export const busyboxRelease = 'NAME=BusyBox\nID=busybox\nVERSION_ID=1.37.0\nPRETTY_NAME="BusyBox v1.37.0"\n'

/** /etc/os-release of a base OS (the distro's default release). */
export function osRelease(os: BaseOS): string | undefined {
  switch (os) {
    case 'debian':
      return debianRelease('12')
    case 'ubuntu':
      return ubuntuRelease('24.04')
    case 'alpine':
      return alpineRelease()
    case 'busybox':
      return busyboxRelease
    case 'oracle':
      return oracleRelease
    default:
      return undefined
  }
}

/** `bash` on glibc distros, BusyBox `sh` on alpine/busybox, nothing on distroless. */
export function shellOf(os: BaseOS): 'bash' | 'busybox' | 'none' {
  return os === 'alpine' || os === 'busybox' ? 'busybox' : os === 'distroless' ? 'none' : 'bash'
}

/** Tools that the slim server images of each distro do not ship (`ps` is procps, absent from debian:*-slim). */
export function missingTools(os: BaseOS): string[] {
  if (os === 'debian' || os === 'ubuntu') return ['ps', 'curl', 'wget', 'top', 'ip', 'ping', 'netstat', 'vi', 'vim', 'less']
  if (os === 'oracle') return ['ps', 'wget', 'top', 'ip', 'ping', 'netstat', 'vi', 'vim', 'less']
  return []
}

/** The PATH of the base images. */
export const standardPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
