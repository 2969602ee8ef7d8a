import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// The elements of an SVG document as an XML parser sees them: proof that the document is
/// well-formed, and what it contains.
struct SVGElements {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
    }

    var elements: [Element] = []

    /// Parses `svg`, failing the test (and returning nil) if it is not well-formed XML.
    init?(_ svg: String, file: StaticString = #filePath, line: UInt = #line) {
        let delegate = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            XCTFail("not well-formed XML: \(parser.parserError.map(String.init(describing:)) ?? "?")", file: file, line: line)
            return nil
        }
        elements = delegate.elements
    }

    func named(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// The text of every `text` element.
    var texts: [String] { named("text").map(\.text) }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
    }
}
