import Yams

/// Applies a child profile document over its parent's: mappings merge key by key, keyed lists merge by their
/// key (a child item replaces the parent item with the same key; new items are appended), anything else is
/// replaced by the child's value.
enum ProfileMerge {
    /// Lists merged by a key field rather than replaced, by their dotted path.
    static let keyedLists: [String: String] = [
        "vpn.gateways": "name",
        "posture": "id",
        "equipment": "kind",
        "stun_servers": "host",
        "voice.sbc": "host",
    ]

    static func merge(parent: Node, child: Node, path: String = "") -> Node {
        if let parentMap = parent.mapping, let childMap = child.mapping {
            var pairs: [(Node, Node)] = parentMap.map { ($0.key, $0.value) }
            for (key, value) in childMap {
                let name = key.string ?? ""
                if path.isEmpty && name == "extends" { continue }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if let index = pairs.firstIndex(where: { $0.0.string == name }) {
                    pairs[index] = (key, merge(parent: pairs[index].1, child: value, path: childPath))
                } else {
                    pairs.append((key, value))
                }
            }
            if path.isEmpty, let extends = childMap["extends"], let key = childMap.keys.first(where: { $0.string == "extends" }) {
                pairs.removeAll { $0.0.string == "extends" }
                pairs.append((key, extends))
            }
            return .mapping(Node.Mapping(pairs, childMap.tag, childMap.style, childMap.mark))
        }
        if let keyField = keyedLists[path], let parentItems = parent.sequence, let childItems = child.sequence {
            var items = Array(parentItems)
            for item in childItems {
                let key = item.mapping?[keyField]?.string ?? item.scalar?.string
                if let key, let index = items.firstIndex(where: { ($0.mapping?[keyField]?.string ?? $0.scalar?.string) == key }) {
                    items[index] = item
                } else {
                    items.append(item)
                }
            }
            return .sequence(Node.Sequence(items, childItems.tag, childItems.style, childItems.mark))
        }
        return child
    }
}
