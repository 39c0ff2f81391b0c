// The loaded plugins as the hot path iterates them: a flat list of unretained
// references (the loader keeps them alive), so calling every plugin for every packet
// costs a virtual call each and no reference counting.

struct PluginList {
    private let base: UnsafeMutablePointer<Unmanaged<T2Plugin>>
    let count: Int

    init(_ plugins: [T2Plugin]) {
        count = plugins.count
        base = .allocate(capacity: max(1, plugins.count))
        for (i, p) in plugins.enumerated() { (base + i).initialize(to: .passUnretained(p)) }
    }

    /// Frees the list (the plugins themselves are owned elsewhere).
    func deallocate() { base.deallocate() }

    @inline(__always)
    func forEach(_ body: (T2Plugin) -> Void) {
        var i = 0
        while i < count {
            base[i]._withUnsafeGuaranteedRef { body($0) }
            i += 1
        }
    }
}
