// A plugin's per-flow state: one flat, zero-filled array indexed by flowIndex, as T2
// plugins keep `myFlows[flowIndex]`. Memory is only touched for flow indices in use,
// because the core hands indices out densely and reuses freed ones first.

#if canImport(Glibc)
import Glibc
#endif

@frozen
public struct PerFlowStorage<Element> {
    public let capacity: Int
    @usableFromInline let base: UnsafeMutablePointer<Element>

    /// `capacity` zeroed elements (use `t2.flows.capacity`). `Element` must be a plain
    /// value type without references: it is zero-initialised and never deinitialised.
    public init(capacity: Int) {
        precondition(_isPOD(Element.self), "PerFlowStorage needs a trivial (POD) element type")
        self.capacity = capacity
        base = calloc(capacity, MemoryLayout<Element>.stride)!
            .bindMemory(to: Element.self, capacity: capacity)
    }

    @inlinable public subscript(flowIndex: Int) -> Element {
        unsafeAddress { UnsafePointer(base + flowIndex) }
        nonmutating unsafeMutableAddress { base + flowIndex }
    }

    /// Pointer to one flow's state, for several updates in a row.
    @inlinable public func pointer(_ flowIndex: Int) -> UnsafeMutablePointer<Element> {
        base + flowIndex
    }

    /// Sets one flow's state to all zero bytes.
    @inlinable public func clear(_ flowIndex: Int) {
        memset(base + flowIndex, 0, MemoryLayout<Element>.stride)
    }

    /// Releases the memory (in `finalize`).
    public func deallocate() { free(base) }
}
