import DataParallel

/// One way of training that `digits verify` runs and compares with the reference. Each is
/// real processes of this executable, started as a user would start them.
enum VerifyConfiguration: Equatable {
    /// `train --threads 1`: what every other configuration must reproduce bit for bit.
    case reference
    /// `launch --workers N --exchange E`: a coordinator and N worker processes.
    case launch(workers: Int, exchange: ExchangeKind)
    /// `train --threads T`: T in-process workers.
    case threads(Int)
    /// `coordinator` and 3 `worker` processes; one worker is killed with SIGKILL mid-epoch
    /// and a fourth joins later.
    case faults
    /// `train` stopped by SIGTERM after the first epoch, then `train --resume` from its checkpoint.
    case stopAndResume
    /// `coordinator --bind ADDRESS` whose N workers the user starts on other machines.
    case remote(bind: String, workers: Int)

    /// A short name for --perturb-seed and the JSON rows: reference, workers-2 (sliced),
    /// workers-2-star, threads-2, faults, resume, remote.
    var id: String {
        switch self {
        case .reference: "reference"
        case .launch(let n, let exchange): exchange == .sliced ? "workers-\(n)" : "workers-\(n)-\(exchange.rawValue)"
        case .threads(let t): "threads-\(t)"
        case .faults: "faults"
        case .stopAndResume: "resume"
        case .remote: "remote"
        }
    }

    /// What ran, for the table.
    var label: String {
        switch self {
        case .reference: "train --threads 1 (reference)"
        case .launch(let n, let exchange): exchange == .sliced ? "launch --workers \(n)" : "launch --workers \(n) --exchange \(exchange.rawValue)"
        case .threads(let t): "train --threads \(t)"
        case .faults: "3 workers, 1 killed (-9), 1 joins"
        case .stopAndResume: "train, SIGTERM, --resume"
        case .remote(let bind, let n): "coordinator --bind \(bind), \(n) workers"
        }
    }

    /// Where its processes' output goes and what it writes, in the run directory.
    func file(_ suffix: String) -> String { "\(id).\(suffix)" }
}
