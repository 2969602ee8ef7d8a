extension MNISTPreprocessing {
    /// The smallest ink contrast q − p (P5) that counts as a digit in a photo, in units of
    /// f (255 = black on white): 16, ink at least 6% darker than its paper. Lower than a clean
    /// picture's `minimumContrast` (32 grey levels) because photos of pencil are faint: ink
    /// 25 grey levels below a paper of 170 is f = 37.
    static let photoMinimumContrast: Float = 16
    /// How many paper noise σ the ink contrast q − p must reach: 8. On blank photos (noise,
    /// gradients, vignetting; 360 tried) the speck of noise that Otsu takes for ink reaches
    /// at most 7.6σ; digits under the heaviest noise tried (σ = 20 grey levels) 9.9σ.
    static let photoNoiseMultiple: Float = 8

    /// ink′ of a photo or scan of a digit (P1–P7); throws `DatasetError.noInk` when no ink
    /// stands out of the paper and its noise. Every parameter was chosen on photos made from
    /// MNIST test digits (enlarged 4×, dark ink on grey paper with noise, linear gradients to
    /// 40% light, vignetting to 40% in the corners, contrast down to 25 grey levels, digits of
    /// 34 pixels on 400×300), judged by the correlation of the 28×28 result with that of the
    /// clean digit. The figures below come from 60 to 300 digits of each kind run through a
    /// NumPy transcription of these steps; `PhotoPreprocessingTests` replays 10 of each.
    ///
    /// - P1. Denoise: g = the image filtered by ¼[1 2 1] ⊗ ¼[1 2 1] (edges repeated). It cuts
    ///   pixel noise to 0.375σ and blurs by 0.7 pixel, far less than the 20×20 fit averages.
    /// - P2. Polarity: in each of 3×3 cells, with m the median and l, h the 0.5% and 99.5%
    ///   quantiles of g, dark ink scores (m − l) − (h − m); ink is dark (v = 255 − g) if the
    ///   nine scores sum to 0 or more, else light (v = g). Paper is most of a cell, so m is
    ///   paper; noise and illumination spread both ways, ink one way. Never wrong over 300
    ///   digits × 13 kinds of photo, where the clean path's border mean fails for paper
    ///   photographed below mid-grey; 4×4 or 8×8 cells, or 2% quantiles, were 1–6% wrong
    ///   (cells more than half ink, small digits lost in the tails).
    /// - P3. Paper: B(x, y) = `PaperSurface.fit(v)`, a cubic in x and y fitted to the paper
    ///   alone. Smooth illumination (a gradient times a vignette) is cubic, and a fit has no
    ///   edge effects: a morphological opening of radius side/8 kept 25% of vignetted digits
    ///   above 0.8 correlation, medians of 8×8 cells 70% at low contrast, the fit 100%.
    /// - P4. Flatten: f = 255·(v − B) / max(255 − B, 32). For dark ink, 255 − B is the paper's
    ///   brightness P and f = 255·(P − g)/P, the ink's contrast to its own paper: a photo is
    ///   illumination × reflectance, and the division takes the illumination out. The 32
    ///   caps the gain at 8 in nearly black corners.
    /// - P5. Levels: the paper level p and noise σ are the median and 1.4826·MAD of f on the
    ///   fit's sample grid, three times recomputed over f ≤ p + 3σ so that ink does not count
    ///   (σ ≥ ½). Otsu's threshold t splits the pixels with f > p + 4σ, and q is the median f
    ///   above t. Otsu over all pixels splits the paper's noise when the ink is tiny (a '1' of
    ///   56 pixels on 400×300 is 0.1% ink). No ink if no f > p + 4σ, or if q − p is below
    ///   `photoMinimumContrast` or `photoNoiseMultiple`·σ.
    /// - P6. Regions: `inkRegions`, the 8-connected regions of f ≥ max(p + 0.2(q − p), p + 3σ)
    ///   that hold a pixel above t and are at least 1/20 of the largest such region. A speck of
    ///   noise far from the digit would stretch the crop box to the whole photo; edges of the
    ///   strokes fainter than t stay, connected to them. 0.2 is `cropThreshold`.
    /// - P7. Contrast: ink′ = clamp(255·(f − p)/(q − p), 0, 255) in the kept regions, 0
    ///   elsewhere: paper 0 and the median ink 255, as in MNIST, where about half the pixels
    ///   above mid-grey are 250 or more.
    static func photoInk(_ image: GrayImage) throws -> InkImage {
        let width = image.width, height = image.height
        let grey = denoised(image)
        let v = inkIsDark(grey, width: width, height: height) ? grey.map { 255 - $0 } : grey
        let paper = PaperSurface.fit(v, width: width, height: height).values()
        let flat = zip(v, paper).map { v, b in 255 * (v - b) / max(255 - b, 32) }

        let sample = PaperSurface.sampleStep(width: width, height: height)
        var samples: [Float] = []
        for y in stride(from: 0, to: height, by: sample) {
            for x in stride(from: 0, to: width, by: sample) { samples.append(flat[y * width + x]) }
        }
        let (p, sigma) = paperLevel(samples)
        let lower = p + 4 * sigma
        let candidates = flat.filter { $0 > lower }
        guard let upper = candidates.max() else { throw DatasetError.noInk }
        let t = otsuThreshold(candidates, lower: lower, upper: upper)
        var strong = flat.filter { $0 > t }
        strong.sort()
        let q = strong[strong.count / 2]
        guard q - p >= max(photoMinimumContrast, photoNoiseMultiple * sigma) else { throw DatasetError.noInk }

        let low = max(p + cropThreshold * (q - p), p + 3 * sigma)
        let kept = inkRegions(flat, width: width, height: height, low: low, strong: t)
        let values = (0..<flat.count).map { i in kept[i] ? min(255, max(0, 255 * (flat[i] - p) / (q - p))) : 0 }
        return InkImage(width: width, height: height, values: values)
    }

    /// P1: the image filtered by ¼[1 2 1] along rows, then along columns, edges repeated.
    static func denoised(_ image: GrayImage) -> [Float] {
        let width = image.width, height = image.height
        let pixels = image.pixels
        var rows = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let row = y * width
            for x in 0..<width {
                let left = pixels[row + max(0, x - 1)], right = pixels[row + min(width - 1, x + 1)]
                rows[row + x] = (Float(left) + 2 * Float(pixels[row + x]) + Float(right)) / 4
            }
        }
        var result = rows
        for y in 0..<height {
            let up = max(0, y - 1) * width, down = min(height - 1, y + 1) * width
            for x in 0..<width { result[y * width + x] = (rows[up + x] + 2 * rows[y * width + x] + rows[down + x]) / 4 }
        }
        return result
    }

    /// P2: whether the ink is darker than the paper, from the tails of 3×3 cells of `grey`.
    static func inkIsDark(_ grey: [Float], width: Int, height: Int) -> Bool {
        var score = 0
        for cy in 0..<3 {
            for cx in 0..<3 {
                var histogram = [Int](repeating: 0, count: 256)
                var count = 0
                for y in (cy * height / 3)..<((cy + 1) * height / 3) {
                    for x in (cx * width / 3)..<((cx + 1) * width / 3) {
                        histogram[Int(grey[y * width + x].rounded())] += 1
                        count += 1
                    }
                }
                guard count > 0 else { continue }
                // The value of rank r (0-based, ascending) in the cell.
                func quantile(_ fraction: Double) -> Int {
                    let rank = Int(fraction * Double(count - 1))
                    var seen = 0
                    for value in 0..<256 {
                        seen += histogram[value]
                        if seen > rank { return value }
                    }
                    return 255
                }
                let m = quantile(0.5)
                score += (m - quantile(0.005)) - (quantile(0.995) - m)
            }
        }
        return score >= 0
    }
}
