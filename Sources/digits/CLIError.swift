/// A failure at run time (a bad file, a lost peer), printed as "Error: <sentence>" with exit
/// code 1. Flag mistakes use `ValidationError` instead, which also prints the usage.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
