import Foundation
import MMTestSupport
import Testing

@testable import MMFeatures

@Suite struct FeatureStoreFormatTests {
    @Test func plainTableLoads() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,h0,h1,h2\nu1,0.5,-1.25,3\nu2,1e-05,2.5E+01,-0\n")
        #expect(store.count == 2)
        #expect(store.dimension == 3)
        #expect(store.columns == ["h0", "h1", "h2"])
        #expect(store.idColumn == "user_id")
        #expect(store.values("u1") == [0.5, -1.25, 3])
        #expect(store.values("u2") == [1e-05, 25, 0])
        #expect(store.row(of: "u2") == 1)
        #expect(store.row(of: "u3") == nil)
        #expect(store.id(at: 0) == "u1")
        #expect(store.quality.rowsRead == 2)
        #expect(store.quality.skippedRows == 0)
    }

    @Test func byteOrderMarkAtStartSkipped() throws {
        let tables = TestTables()
        let store = try tables.store(bytes: [0xEF, 0xBB, 0xBF] + Array("user_id,a\nu1,1\n".utf8))
        #expect(store.values("u1") == [1])
    }

    @Test func lineEndingsAllAccepted() throws {
        let tables = TestTables()
        let crlf = try tables.store("user_id,a\r\nu1,1\r\nu2,2\r\n", name: "crlf.csv")
        let mixed = try tables.store("user_id,a\r\nu1,1\nu2,2\r\n", name: "mixed.csv")
        let lone = try tables.store("user_id,a\ru1,1\ru2,2\r", name: "cr.csv")
        for store in [crlf, mixed, lone] {
            #expect(store.count == 2)
            #expect(store.values("u2") == [2])
        }
    }

    @Test func missingFinalNewlineAndBlankTrailingLine() throws {
        let tables = TestTables()
        let noNewline = try tables.store("user_id,a\nu1,1\nu2,2", name: "a.csv")
        let blankLine = try tables.store("user_id,a\nu1,1\nu2,2\n\n", name: "b.csv")
        let blankCRLF = try tables.store("user_id,a\r\nu1,1\r\nu2,2\r\n\r\n  \r\n", name: "c.csv")
        for store in [noNewline, blankLine, blankCRLF] {
            #expect(store.count == 2)
            #expect(store.quality.skippedRows == 0)
            #expect(store.values("u2") == [2])
        }
    }

    @Test func quotedFieldsUnquoted() throws {
        let tables = TestTables()
        let store = try tables.store("\"user_id\",\"a\",b\n\"u,1\",\"1.5\",2\n\"u \"\"2\"\"\",3,\"4e1\"\n")
        #expect(store.columns == ["a", "b"])
        #expect(store.values("u,1") == [1.5, 2])
        #expect(store.values("u \"2\"") == [3, 40])
    }

    @Test func quotedLineBreakKeepsLineNumbers() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a\n\"u\n1\",1\nu2,x\n")
        #expect(store.count == 0)
        let examples = store.quality.examples
        #expect(examples.map(\.line) == [2, 4])
        #expect(examples.map(\.reason) == [.invalidID, .notANumber])
    }

    @Test func spacesAroundFieldsTrimmed() throws {
        let tables = TestTables()
        let store = try tables.store("user_id , a ,b\n  u1 , 1.5 ,\t2\n")
        #expect(store.columns == ["a", "b"])
        #expect(store.values("u1") == [1.5, 2])
    }

    @Test func exponentsParsed() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a,b,c,d\nu1,1e-05,2.5E+01,-3e2,.5e1\n")
        #expect(store.values("u1") == [1e-05, 25, -300, 5])
    }

    @Test func subnormalsAcceptedAndCounted() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a,b\nu1,1e-40,1e-50\n")
        let values = try #require(store.values("u1"))
        #expect(values[0] == Float("1e-40"))
        #expect(values[0].isSubnormal)
        #expect(values[1] == 0)
        #expect(store.quality.subnormalValues == 1)
        #expect(store.quality.underflowedValues == 1)
        #expect(store.quality.skippedRows == 0)
    }

    @Test func copyRowAndMatrix() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a,b\nu1,1,2\nu2,3,4\n")
        var buffer = [Float](repeating: 0, count: 2)
        buffer.withUnsafeMutableBufferPointer { store.copyRow(1, into: $0.baseAddress!) }
        #expect(buffer == [3, 4])
        #expect(Array(store.matrix) == [1, 2, 3, 4])
    }

    @Test func noIDColumnUsesRowNumbers() throws {
        let tables = TestTables()
        let store = try tables.store("a,b\n1,2\nx,4\n5,6\n", options: TestTables.options(id: nil))
        #expect(store.idColumn == "")
        #expect(store.count == 2)
        #expect(store.id(at: 0) == "1")
        #expect(store.id(at: 1) == "3")
        #expect(store.values("3") == [5, 6])
    }

    @Test func ignoredAndLabelColumns() throws {
        let tables = TestTables()
        var options = TestTables.options(id: "file")
        options.ignoredColumns = ["length"]
        options.labelColumn = "label"
        let store = try tables.store("file,length,a,label,b\nx.wav,30,1,rock,2\ny.wav,30,3,jazz,4\n", options: options)
        #expect(store.columns == ["a", "b"])
        #expect(store.labelColumn == "label")
        #expect(store.label(at: 0) == "rock")
        #expect(store.label(at: 1) == "jazz")
        #expect(store.values("y.wav") == [3, 4])
    }

    @Test func selectingColumnsByName() throws {
        let tables = TestTables()
        let store = try tables.store("user_id,a,b,c\nu1,1,2,3\nu2,4,5,6\n")
        #expect(try store.selectingColumns(["a", "b", "c"]) === store)
        let reordered = try store.selectingColumns(["c", "a"])
        #expect(reordered.columns == ["c", "a"])
        #expect(reordered.values("u2") == [6, 4])
        #expect(reordered.fingerprint != store.fingerprint)
        let error = featureError { _ = try store.selectingColumns(["a", "z"]) }
        #expect(error == .missingColumns(path: store.url.path, missing: ["z"], available: ["a", "b", "c"]))
        #expect(error?.exitCode == .badInput)
    }

    @Test func reorderedFileGivesSameVectors() throws {
        let tables = TestTables()
        let first = try tables.store("user_id,a,b,c\nu1,1,2,3\n", name: "first.csv")
        let second = try tables.store("c,user_id,b,a\n3,u1,2,1\n", name: "second.csv")
        let aligned = try second.selectingColumns(first.columns)
        #expect(aligned.values("u1") == first.values("u1"))
    }

    @Test func featureColumnsOptionSelectsAtParse() throws {
        let tables = TestTables()
        var options = TestTables.options()
        options.featureColumns = ["c", "a"]
        let store = try tables.store("user_id,a,b,c\nu1,1,x,3\n", options: options)
        #expect(store.columns == ["c", "a"])
        #expect(store.values("u1") == [3, 1])
    }

    @Test func fingerprintTracksContent() throws {
        let tables = TestTables()
        let first = try tables.store("user_id,a\nu1,1\n", name: "one.csv")
        let same = try tables.store("user_id,a\r\nu1,1.0\r\n", name: "two.csv")
        let changed = try tables.store("user_id,a\nu1,2\n", name: "three.csv")
        #expect(first.fingerprint == same.fingerprint)
        #expect(first.fingerprint != changed.fingerprint)
        #expect(first.fingerprint.count == 16)
    }

    @Test func tabDelimiterForDatFiles() throws {
        let tables = TestTables()
        let store = try tables.store("user_id\ta\tb\nu1\t1\t2\n", name: "table.dat")
        #expect(store.values("u1") == [1, 2])
    }

    @Test func wideRowLoads() throws {
        let tables = TestTables()
        let dimension = 100_000
        let header = "user_id," + (0..<dimension).map { "c\($0)" }.joined(separator: ",")
        let row = "u1," + (0..<dimension).map { String($0 % 7) }.joined(separator: ",")
        let store = try tables.store(header + "\n" + row + "\n")
        #expect(store.dimension == dimension)
        #expect(store.vector(at: 0)[99_999] == Float(99_999 % 7))
    }
}
