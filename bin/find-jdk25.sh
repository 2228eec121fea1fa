# Sourced: exports JAVA_HOME pointing at a JDK 25 or newer, or stops with a message.
_mma4j_java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
_mma4j_ok() { [ -x "$1/bin/java" ] && [ "$(_mma4j_java_major "$1")" -ge 25 ] 2>/dev/null; }
if [ -n "${JAVA_HOME:-}" ] && _mma4j_ok "$JAVA_HOME"; then :
else
  found=""
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /usr/local/jdk*; do
    if _mma4j_ok "$d"; then found=$d; break; fi
  done
  if [ -z "$found" ] && command -v java >/dev/null; then
    j=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    _mma4j_ok "$j" && found=$j
  fi
  if [ -z "$found" ]; then
    echo "mma4j needs JDK 25 or newer (Vector API, FFM); none found under /usr/lib/jvm. Set JAVA_HOME." >&2
    exit 2
  fi
  export JAVA_HOME=$found
fi
export PATH="$JAVA_HOME/bin:$PATH"
