import CSQLite
import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMQueue

@Suite struct ErrorTests {
    @Test func busyPastTimeoutIsTransient() throws {
        let test = try TestQueue()
        let holder = try Connection(path: test.path)
        try holder.execute("BEGIN IMMEDIATE")
        defer { try? holder.execute("ROLLBACK") }
        let impatient = try SQLiteQueue(path: test.path, busyTimeoutMilliseconds: 100)

        let error = try #require(throws: SQLiteError.self) {
            try impatient.enqueue(userIDs: ["a"])
        }
        #expect(error.code == SQLITE_BUSY)
        #expect(error.isTransient)
        #expect(error.failureKind == .transient)
        #expect(error.sql == "BEGIN IMMEDIATE")
        let text = error.message.text(in: .english)
        #expect(text.contains(test.path))
        #expect(text.contains("SQLITE_BUSY") || text.contains("database is locked"), "\(text)")
        #expect(!error.message.text(in: .chinese).isEmpty)
    }

    @Test func fullDiskIsTransient() throws {
        let test = try TestQueue()
        let pages = try test.scalar("PRAGMA page_count")
        // A page limit is how SQLite simulates a full disk: writes past it fail with SQLITE_FULL.
        try test.queue.withConnection { try $0.execute("PRAGMA max_page_count = \(pages + 2)") }

        let error = try #require(throws: SQLiteError.self) {
            try test.queue.enqueue(userIDs: userIDs(5000))
        }
        #expect(error.code == SQLITE_FULL)
        #expect(error.failureKind == .transient)
        #expect(error.exitCode == .outputFailed)
        #expect(error.message.key == "queue.sqlite.full")
        // The failed batch was rolled back whole.
        #expect(try test.queue.counts()[.pending] == 0)
    }

    @Test func constraintErrorIsPermanent() throws {
        let test = try TestQueue()
        let error = try #require(throws: SQLiteError.self) {
            try test.queue.withConnection { try $0.execute("INSERT INTO jobs (user_id, enqueued_at) VALUES ('', 0)") }
        }
        #expect(error.code == SQLITE_CONSTRAINT)
        #expect(error.failureKind == .permanent)
        #expect(error.codeName == "constraint failed")
        #expect(error.message.text(in: .english).contains("INSERT INTO jobs"))
    }

    @Test func boundValuesNotInMessage() throws {
        let test = try TestQueue()
        let error = try #require(throws: SQLiteError.self) {
            try test.queue.withConnection { connection in
                let statement = try connection.prepare("INSERT INTO jobs (user_id, enqueued_at, state) VALUES (?, ?, ?)")
                try statement.reset(binding: "secret-user-42", 0.0, "bogus")
                try statement.run()
            }
        }
        #expect(!error.message.text(in: .english).contains("secret-user-42"))
        #expect(error.message.text(in: .english).contains("VALUES (?, ?, ?)"))
    }

    @Test func notADatabaseIsBadInput() throws {
        let directory = TemporaryDirectory("corrupt")
        let file = directory.write("queue.sqlite", String(repeating: "this is not sqlite\n", count: 200))
        let error = try #require(throws: SQLiteError.self) {
            try SQLiteQueue(path: file.path)
        }
        #expect(error.code == SQLITE_NOTADB)
        #expect(error.exitCode == .badInput)
        #expect(error.message.key == "queue.sqlite.corrupt")
    }

    @Test func missingFolderCannotOpen() throws {
        let directory = TemporaryDirectory("missing")
        let error = try #require(throws: SQLiteError.self) {
            try SQLiteQueue(path: directory.path("no/such/queue.sqlite").path)
        }
        #expect(error.code == SQLITE_CANTOPEN)
        #expect(error.exitCode == .outputFailed)
    }

    @Test func newerSchemaRejected() throws {
        let test = try TestQueue()
        try test.queue.withConnection { try $0.execute("PRAGMA user_version = 99") }
        #expect(throws: QueueError.schemaTooNew(path: test.path, found: 99, supported: Schema.currentVersion)) {
            try test.reopen()
        }
    }

    @Test func reopenKeepsData() throws {
        let test = try TestQueue()
        try test.queue.enqueue(userIDs: ["a", "b"])
        let again = try test.reopen()
        #expect(try again.counts()[.pending] == 2)
        #expect(try test.scalar("PRAGMA user_version") == Schema.currentVersion)
        #expect(try test.queue.withConnection { try $0.prepare("PRAGMA journal_mode").firstRow { $0.string(0) } } == "wal")
        #expect(try test.scalar("PRAGMA foreign_keys") == 1)
    }
}
