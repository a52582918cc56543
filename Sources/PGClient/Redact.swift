/// Masks passwords in a libpq connection string or in any text that may quote one
/// (error messages, log lines). Handles:
/// - key/value conninfo: `password=secret`, `password = 'it''s \' quoted'`
/// - URLs: `postgresql://user:secret@host/db` and `postgres://...?password=secret&sslmode=...`
/// The password is replaced by `***`; everything else is kept.
public func redactConninfo(_ s: String) -> String {
    let chars = Array(s)
    var out: [Character] = []
    out.reserveCapacity(chars.count)
    var i = 0
    let n = chars.count

    func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
    func tokenStart(_ at: Int) -> Int {
        var j = at
        while j > 0, !chars[j - 1].isWhitespace { j -= 1 }
        return j
    }
    func hasPrefixCI(_ at: Int, _ p: String) -> Bool {
        let pc = Array(p)
        guard at + pc.count <= n else { return false }
        for k in 0..<pc.count where chars[at + k].lowercased() != pc[k].lowercased() { return false }
        return true
    }

    while i < n {
        // URL scheme: postgres:// or postgresql:// -> mask the password in user:password@
        if hasPrefixCI(i, "postgresql://") || hasPrefixCI(i, "postgres://") {
            let schemeLen = hasPrefixCI(i, "postgresql://") ? 13 : 11
            out.append(contentsOf: chars[i..<(i + schemeLen)])
            i += schemeLen
            // authority runs to the first '/', '?' or whitespace
            var end = i
            while end < n, chars[end] != "/", chars[end] != "?", !chars[end].isWhitespace { end += 1 }
            if let at = chars[i..<end].lastIndex(of: "@"), let colon = chars[i..<at].firstIndex(of: ":") {
                out.append(contentsOf: chars[i...colon])
                out.append(contentsOf: "***")
                out.append(contentsOf: chars[at..<end])
            } else {
                out.append(contentsOf: chars[i..<end])
            }
            i = end
            continue
        }
        // password = value (key/value conninfo, or a URL query parameter)
        if hasPrefixCI(i, "password"), i == 0 || !isWordChar(chars[i - 1]) {
            var j = i + 8
            while j < n, chars[j] == " " || chars[j] == "\t" { j += 1 }
            if j < n, chars[j] == "=" {
                j += 1
                while j < n, chars[j] == " " || chars[j] == "\t" { j += 1 }
                let inURL = String(chars[tokenStart(i)..<i]).contains("://")
                var end = j
                if end < n, chars[end] == "'" {
                    // quoted value: backslash escapes, ends at the next unescaped quote
                    end += 1
                    while end < n, chars[end] != "'" {
                        if chars[end] == "\\" { end += 1 }
                        end += 1
                    }
                    end = min(end + 1, n)
                } else {
                    while end < n, !chars[end].isWhitespace, !(inURL && (chars[end] == "&" || chars[end] == "#")) {
                        end += 1
                    }
                }
                out.append(contentsOf: chars[i..<j])
                out.append(contentsOf: "***")
                i = end
                continue
            }
        }
        out.append(chars[i])
        i += 1
    }
    return String(out)
}
