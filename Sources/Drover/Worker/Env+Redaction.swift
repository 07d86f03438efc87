/// Printing, interpolating or dumping an ``Env`` (or one of its bindings) shows what is bound, never a
/// secret's value: `print(env)`, `"\(env)"`, `String(reflecting: env)`, `dump(env)` and a debugger's
/// `po` all go through these conformances. A secret is read as before, with ``Env/secret(_:)``.
extension Env: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let bindings = bindingNames.map { "\($0): \(binding($0).map { String(describing: $0) } ?? "")" }
        return "Env(bindings: [\(bindings.joined(separator: ", "))], vars: \(vars))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: bindingNames.map { (label: $0, value: binding($0).map { String(describing: $0) } ?? "") as Mirror.Child }
                + [(label: "vars", value: vars)],
            displayStyle: .struct
        )
    }
}

extension Env.Binding: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The binding's kind; a secret as `secret (hidden)`.
    package var description: String {
        if case .secret = self { return "secret (hidden)" }
        return kindName
    }

    package var debugDescription: String { description }

    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
}

extension Vars: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `[NAME: value, ...]`, a var that holds a secret's value (`.dev.vars`) as `(hidden)`.
    public var description: String {
        "[" + names.map { "\($0): \(shown($0))" }.joined(separator: ", ") + "]"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: names.map { (label: $0, value: shown($0)) as Mirror.Child }, displayStyle: .dictionary)
    }

    private func shown(_ name: String) -> String {
        hiddenNames.contains(name) ? "(hidden)" : (json(name).map { JSONSerializer.string($0) } ?? "null")
    }
}
