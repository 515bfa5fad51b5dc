#!/usr/bin/env bash
# The file system the image's application layers sit on (Jib builds it `FROM scratch`: no registry is
# needed, and nothing is in the image that the node does not use):
#   /opt/java           a Java runtime made by jlink from the newest JDK found (Temurin 25 where
#                       /usr/lib/jvm/temurin-25-jdk-amd64 exists, else $JAVA_HOME or the `java` on PATH):
#                       only the modules the node uses, no debug symbols, no man pages
#   /lib, /lib64, /usr/lib   the shared libraries that runtime and fontconfig load, copied from this
#                       machine (ldd), with the dynamic loader
#   /etc/fonts, one font     for the picture challenges (Java2D draws them with a TrueType font)
#   /etc/passwd, /tmp   the unprivileged user the node runs as (10001) and a scratch directory
#
#   deploy/image/make-root.sh OUT_DIR      (the image profile runs it: ./mvnw -Pimage package)
set -euo pipefail
out=${1:?usage: $0 OUT_DIR}
rm -rf "$out"
mkdir -p "$out"

jdk=""
if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/jlink ]]; then
  jdk=/usr/lib/jvm/temurin-25-jdk-amd64
elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/jlink ]]; then
  jdk=$JAVA_HOME
else
  jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
[[ -x $jdk/bin/jlink ]] || { echo "no jlink under $jdk: a JDK (not a JRE) is needed" >&2; exit 1; }
version=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
feature=${version%%[.+]*}

# The modules the node uses: Spring Boot, Netty (jdk.unsupported), JDBC (java.sql, java.naming),
# Micrometer's JVM metrics (jdk.management), JFR for profiling a live node, Java2D for the challenges
# (java.desktop), TLS to Redis or the database (jdk.crypto.ec; merged into java.base in recent JDKs).
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming
modules+=,java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql
modules+=,java.transaction.xa,java.xml,jdk.jfr,jdk.management,jdk.management.jfr,jdk.naming.dns
modules+=,jdk.unsupported,jdk.zipfs
"$jdk/bin/java" --list-modules | grep -q '^jdk.crypto.ec@' && modules+=,jdk.crypto.ec
compress=--compress=2
((feature >= 21)) && compress=--compress=zip-6
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files "$compress" \
  --output "$out/opt/java"
echo "$version" >"$out/opt/java/JDK_VERSION"

# Every shared library the runtime and fontconfig (loaded with dlopen by Java2D, so ldd of the runtime
# does not list it) need, under the same path as here; the loader under both of its names.
copy_with_deps() {
  local lib
  for lib in $(ldd "$@" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
    [[ $lib == "$out"/* ]] && continue
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done
}
mapfile -t elves < <(find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' -o -name jspawnhelper \))
copy_with_deps "${elves[@]}"
fontconfig=$(ldconfig -p | awk '/libfontconfig\.so\.1 .*x86-64/ { print $NF; exit }')
[[ -n $fontconfig ]] || { echo "libfontconfig.so.1 is missing: apt-get install fontconfig" >&2; exit 1; }
mkdir -p "$out$(dirname "$fontconfig")"
cp -L "$fontconfig" "$out$fontconfig"
copy_with_deps "$fontconfig"
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
mkdir -p "$out/lib64" "$out$(dirname "$loader")"
cp -L "$loader" "$out/lib64/ld-linux-x86-64.so.2"
cp -L "$loader" "$out$loader"

font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
[[ -f $font ]] || { echo "$font is missing: apt-get install fonts-dejavu-core" >&2; exit 1; }
mkdir -p "$out/usr/share/fonts/truetype/dejavu" "$out/etc/fonts" "$out/var/cache/fontconfig"
cp "$font" "$out/usr/share/fonts/truetype/dejavu/"
cat >"$out/etc/fonts/fonts.conf" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts</dir>
  <cachedir>/tmp/fontconfig</cachedir>
</fontconfig>
EOF

mkdir -p "$out/etc" "$out/tmp" "$out/app"
printf 'root:x:0:0:root:/root:/sbin/nologin\nseckill:x:10001:10001:seckill:/tmp:/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nseckill:x:10001:\n' >"$out/etc/group"
echo "image root: $(du -sh "$out" | cut -f1) (Java runtime $version from $jdk: $(du -sh "$out/opt/java" | cut -f1))"
