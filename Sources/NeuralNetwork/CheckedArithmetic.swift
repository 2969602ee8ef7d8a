/// Sizes that come from outside (a file's header, a flag) are combined through these, never
/// with `*` or `+`: a forged size then becomes nil, which the caller turns into an error that
/// names the field, instead of an overflow trap.
extension Sequence where Element == Int {
    /// The product of the elements (1 for none), or nil if it overflows `Int`.
    public func checkedProduct() -> Int? {
        var product = 1
        for factor in self {
            let (result, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = result
        }
        return product
    }

    /// The sum of the elements (0 for none), or nil if it overflows `Int`.
    public func checkedSum() -> Int? {
        var sum = 0
        for term in self {
            let (result, overflow) = sum.addingReportingOverflow(term)
            if overflow { return nil }
            sum = result
        }
        return sum
    }
}
