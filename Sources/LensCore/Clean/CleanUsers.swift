/// Demographics of the older drops into `users`: ml-100k `u.user` (`id|age|gender|occupation|zip`)
/// and ml-1m `users.dat` (`id::gender::age::occupation::zip`). A repeated id keeps the first.
struct UsersCleaner {
    var ledger: SmallFileLedger
    var table = UsersTable()
    private var seen = Set<Int32>()
    /// Field positions of (gender, age, occupation, zip) in the file's lines.
    let positions: (gender: Int, age: Int, occupation: Int, zip: Int)

    init(file: String, positions: (gender: Int, age: Int, occupation: Int, zip: Int)) {
        ledger = SmallFileLedger(file: file)
        self.positions = positions
    }

    mutating func consume(fields: [String], raw: @autoclosure () -> String, line: Int) {
        ledger.counts.linesRead += 1
        guard fields.count == 5 else { return ledger.reject(raw(), line: line, reason: .fieldCount) }
        let id: Int32
        switch parseIdField(fields[0]) {
        case .failure(let reason): return ledger.reject(raw(), line: line, reason: reason)
        case .success(let v): id = v
        }
        let ageText = fields[positions.age].trimmingBlanks()
        guard let age = Int16(ageText) else {
            return ledger.reject(raw(), line: line, reason: ageText.isEmpty ? .blankField : .unparseable)
        }
        guard seen.insert(id).inserted else {
            ledger.counts.duplicates += 1
            return
        }
        table.userId.append(id)
        table.gender.append(fields[positions.gender].trimmingBlanks())
        table.age.append(age)
        table.occupation.append(fields[positions.occupation].trimmingBlanks())
        table.zipCode.append(fields[positions.zip].trimmingBlanks())
        table.sourceLine.append(Int32(truncatingIfNeeded: line))
    }

    mutating func finish() -> (UsersTable, FileReconciliation) {
        let order = table.userId.indices.sorted { table.userId[$0] < table.userId[$1] }
        var t = UsersTable()
        t.userId = permuted(table.userId, order)
        t.gender = permuted(table.gender, order)
        t.age = permuted(table.age, order)
        t.occupation = permuted(table.occupation, order)
        t.zipCode = permuted(table.zipCode, order)
        t.sourceLine = permuted(table.sourceLine, order)
        ledger.counts.clean = t.count
        return (t, ledger.counts)
    }
}
