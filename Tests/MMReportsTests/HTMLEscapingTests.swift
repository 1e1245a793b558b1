import Testing

@testable import MMReports

@Suite struct HTMLEscapingTests {
    @Test func escapesMarkupCharacters() {
        #expect(escapeHTML("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        #expect(escapeHTML("用户 ü") == "用户 ü")
    }
}
