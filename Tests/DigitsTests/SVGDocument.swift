import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG file read into a DOM (FoundationXML's `XMLDocument` on Linux): reading it proves it
/// well-formed; XPath finds its elements (by local name, since SVG has a default namespace).
struct SVGDocument {
    let document: XMLDocument

    init(contentsOf url: URL) throws {
        document = try XMLDocument(contentsOf: url, options: [])
    }

    func elements(_ name: String) -> [XMLElement] {
        ((try? document.nodes(forXPath: "//*[local-name()='\(name)']")) ?? []).compactMap { $0 as? XMLElement }
    }

    func count(_ name: String) -> Int { elements(name).count }

    /// The `path` elements of `class` that draw something.
    func paths(class name: String) -> [XMLElement] {
        elements("path").filter { attribute("class", of: $0) == name && !(attribute("d", of: $0) ?? "").isEmpty }
    }

    /// An attribute's value. (On Linux, `XMLElement.attribute(forName:)` finds nothing in an
    /// element of a default namespace, as every SVG element is; the list of attributes works.)
    func attribute(_ name: String, of element: XMLElement) -> String? {
        element.attributes?.first { $0.name == name }?.stringValue
    }

    func hasPath(class name: String) -> Bool { !paths(class: name).isEmpty }

    var texts: [String] { elements("text").compactMap(\.stringValue) }
}
