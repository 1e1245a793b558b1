/// The frame shared by every report page: a self-contained HTML document with a
/// responsive style sheet. Its Content-Security-Policy allows no fetch at all, so no
/// script, font or image loads from anywhere; only inline styles and `data:` images work.
enum HTMLPage {
    /// The policy of every page. Links still navigate; nothing loads by itself.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

    /// Wraps `body` (HTML) in a complete document titled `title` (plain text).
    static func document(text: ReportText, title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(text.languageTag)">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light">
        <meta name="generator" content="mmbatch">
        <title>\(escapeHTML(title))</title>
        <style>\(styleSheet)</style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// Renders a table in a horizontally scrolling wrapper. Cells are HTML, and a column
    /// marked numeric is right-aligned with tabular digits. Each body row gets `data-row`.
    static func table(
        id: String, caption: String? = nil, headers: [(String, numeric: Bool)], rows: [[String]],
        rowKind: String
    ) -> String {
        var html = "<div class=\"table-wrap\"><table data-table=\"\(id)\">"
        if let caption {
            html += "<caption>\(caption)</caption>"
        }
        html += "<thead><tr>"
        for (header, numeric) in headers {
            html += numeric ? "<th scope=\"col\" class=\"num\">\(header)</th>" : "<th scope=\"col\">\(header)</th>"
        }
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr data-row=\"\(rowKind)\">"
            for (index, cell) in row.enumerated() {
                let numeric = index < headers.count && headers[index].numeric
                html += numeric ? "<td class=\"num\">\(cell)</td>" : "<td>\(cell)</td>"
            }
            html += "</tr>"
        }
        return html + "</tbody></table></div>"
    }

    /// Renders a figure of one chart with its heading, an optional legend and a note.
    static func figure(
        heading: String, chart: String, legend: [(className: String, label: String)] = [],
        note: String? = nil
    ) -> String {
        var html = "<figure class=\"card chart-card\"><figcaption><h3>\(heading)</h3>"
        if !legend.isEmpty {
            html += "<ul class=\"legend\">"
            for item in legend {
                html += "<li><span class=\"swatch \(item.className)\" aria-hidden=\"true\"></span>\(item.label)</li>"
            }
            html += "</ul>"
        }
        html += "</figcaption>\(chart)"
        if let note {
            html += "<p class=\"note\">\(note)</p>"
        }
        return html + "</figure>"
    }

    /// Renders one headline figure: a big number and its label.
    static func metric(label: String, value: String, detail: String? = nil, kind: String) -> String {
        var html = "<div class=\"metric\" data-metric=\"\(kind)\"><div class=\"metric-value\">\(value)</div>"
            + "<div class=\"metric-label\">\(label)</div>"
        if let detail {
            html += "<div class=\"metric-detail\">\(detail)</div>"
        }
        return html + "</div>"
    }

    /// Renders a definition list of label–value pairs (values are HTML).
    static func details(_ pairs: [(String, String)]) -> String {
        var html = "<dl class=\"details\">"
        for (label, value) in pairs {
            html += "<div><dt>\(label)</dt><dd>\(value)</dd></div>"
        }
        return html + "</dl>"
    }

    // The palette is Okabe and Ito's, which stays distinguishable with the common
    // colour-vision deficiencies. Status never relies on colour alone: each banner has a
    // symbol and a word, each chart series a legend, and each line a dash pattern.
    static let styleSheet = """
        :root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;\
        --blue:#0072b2;--orange:#e69f00;--red:#d55e00;--green:#009e73;--grey:#8c959f;\
        --ok:#1a7f37;--ok-bg:#dafbe1;--warn:#7d4e00;--warn-bg:#fff8c5;--bad:#b42318;--bad-bg:#ffebe9}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",\
        Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
        main{max-width:1120px;margin:0 auto;padding:16px}
        a{color:var(--blue)}
        h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 .75rem;overflow-wrap:anywhere}
        h2{font-size:1.15rem;margin:2rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
        h3{font-size:.95rem;margin:0}
        .crumb{margin:0;font-size:.9rem}
        .subtitle{color:var(--muted);margin:0 0 1rem}
        .banner{display:flex;gap:.75rem;align-items:flex-start;padding:.75rem 1rem;border-radius:8px;\
        border:1px solid;border-left-width:6px;margin:0 0 1rem}
        .banner .symbol{font-weight:700;font-size:1.25rem;line-height:1.2}
        .banner strong{display:block;font-size:1.05rem}
        .banner .stop-reason{margin:.35rem 0 0;font-weight:600;overflow-wrap:anywhere}
        .banner.status-succeeded{background:var(--ok-bg);border-color:var(--ok);color:#0f4d22}
        .banner.status-partial{background:var(--warn-bg);border-color:#bf8700;color:var(--warn)}
        .banner.status-failed{background:var(--bad-bg);border-color:var(--bad);color:#82071e}
        .metrics{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:0 0 1rem}
        .metric,.card{background:var(--card);border:1px solid var(--line);border-radius:8px}
        .metric{padding:.75rem 1rem}
        .metric-value{font-size:1.45rem;font-weight:600;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
        .metric-label{color:var(--muted);font-size:.85rem}
        .metric-detail{color:var(--muted);font-size:.8rem}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:16px}
        .grid.spaced{margin-top:16px}
        figure{margin:0}
        .chart-card{padding:12px 12px 4px}
        .chart-card figcaption{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;margin-bottom:4px}
        svg.chart{display:block;width:100%;max-width:460px;height:auto;margin:0 auto;font-size:13px;font-family:inherit}
        svg .bar.series-0{fill:var(--blue)}
        svg .bar.series-1{fill:var(--orange)}
        svg .bar.series-2{fill:var(--red)}
        svg .bar.previous{fill:var(--grey)}
        svg .label{fill:var(--ink)}
        svg .value,svg .tick{fill:var(--muted);font-size:12px;font-variant-numeric:tabular-nums}
        svg .axis-label{fill:var(--muted);font-size:12px}
        svg .axis{stroke:var(--muted);stroke-width:1}
        svg .grid{stroke:#e6eaef;stroke-width:1}
        svg .line{fill:none;stroke-width:2.25}
        svg .line.series-0{stroke:var(--blue)}
        svg .line.series-1{stroke:var(--orange);stroke-dasharray:6 4}
        svg .line.series-2{stroke:var(--green);stroke-dasharray:2 3}
        svg .point.series-0{fill:var(--blue)}
        svg .point.series-1{fill:var(--orange)}
        svg .point.series-2{fill:var(--green)}
        svg .marker{stroke:var(--ink);stroke-width:1;stroke-dasharray:3 3}
        .legend{display:flex;flex-wrap:wrap;gap:.25rem .9rem;margin:0;padding:0;list-style:none;\
        font-size:.8rem;color:var(--muted)}
        .swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
        .swatch.series-0{background:var(--blue)}
        .swatch.series-1{background:var(--orange)}
        .swatch.series-2{background:var(--red)}
        .swatch.previous{background:var(--grey)}
        .swatch.line-1{background:repeating-linear-gradient(90deg,var(--orange) 0 5px,transparent 5px 8px);height:3px;vertical-align:3px}
        .swatch.line-0{background:var(--blue);height:3px;vertical-align:3px}
        .swatch.line-2{background:repeating-linear-gradient(90deg,var(--green) 0 2px,transparent 2px 4px);height:3px;vertical-align:3px}
        .note{color:var(--muted);font-size:.85rem;margin:.25rem 0 .5rem}
        .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;background:var(--card);\
        border:1px solid var(--line);border-radius:8px}
        table{border-collapse:collapse;width:100%;font-size:.9rem}
        caption{text-align:left;padding:.5rem .75rem;color:var(--muted);font-size:.85rem}
        th,td{padding:.4rem .75rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        th{background:var(--bg);font-weight:600;white-space:nowrap}
        tbody tr:last-child td{border-bottom:0}
        .nowrap{white-space:nowrap}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .id,td code,dd code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;\
        overflow-wrap:anywhere}
        td.reason{min-width:16rem}
        .details{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:0 24px;\
        margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.5rem 1rem}
        .details div{display:flex;gap:1rem;padding:.35rem 0;border-bottom:1px solid #eef1f4}
        .details dt{flex:0 0 9.5rem;color:var(--muted)}
        .details dd{margin:0;min-width:0;overflow-wrap:anywhere}
        .warnings{margin:0 0 12px;padding:.25rem 0;list-style:none;background:var(--warn-bg);\
        border:1px solid #d4a72c;border-left:6px solid #bf8700;border-radius:8px;color:var(--warn)}
        .warnings li{padding:.35rem .75rem .35rem 2rem;text-indent:-1.25rem}
        .warnings li::before{content:"⚠";display:inline-block;width:1.25rem;text-indent:0;font-weight:700}
        .ok-note{color:var(--ok)}
        .ok-note::before{content:"✓ ";font-weight:700}
        .status{display:inline-flex;align-items:center;gap:.3rem;padding:0 .5rem;border-radius:999px;\
        font-size:.8rem;font-weight:600;white-space:nowrap;border:1px solid}
        .status.status-succeeded{color:var(--ok);background:var(--ok-bg)}
        .status.status-partial{color:var(--warn);background:var(--warn-bg)}
        .status.status-failed{color:var(--bad);background:var(--bad-bg)}
        .table-heading{margin:1.25rem 0 .5rem}
        details{margin-top:12px}
        summary{cursor:pointer;font-weight:600;padding:.25rem 0}
        .heat td.cell{text-align:right;font-variant-numeric:tabular-nums;min-width:3.2rem}
        .heat td.diagonal{outline:2px solid var(--ink);outline-offset:-2px;font-weight:600}
        .heat th[scope=row]{white-space:nowrap;position:sticky;left:0;background:var(--bg)}
        footer{margin:2.5rem 0 1rem;color:var(--muted);font-size:.8rem}
        @media (max-width:600px){main{padding:10px}h1{font-size:1.25rem}.details dt{flex-basis:7rem}\
        th,td{padding:.35rem .5rem}.metric-value{font-size:1.2rem}}
        """
}
