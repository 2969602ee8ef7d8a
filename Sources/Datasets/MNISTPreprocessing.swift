/// Turns any grayscale picture of a digit into a 28×28 image drawn the way MNIST's are, so
/// that a model trained on MNIST can read it: a clean drawing (the drawing page, a scan of
/// pen on white, MNIST itself) or a photo of a digit on paper (grey, noisy, unevenly lit).
///
/// MNIST's recipe (LeCun et al.): the digit, white ink on black, is scaled to fit a 20×20
/// box keeping its aspect ratio, anti-aliased, and placed in a 28×28 field so that its
/// centre of mass lies at the centre. Here, first the ink ink′ ≥ 0 of every pixel:
///
/// - A **clean** picture, whose border is flat (more than half of the border pixels have
///   exactly the border's median value: the background of a drawing, a canvas, a synthetic
///   image), goes through steps 1 and 2. They are what this type did before it read photos,
///   and give the same bytes (a test pins them).
///   1. Polarity. If the mean of the border pixels is above 127.5 the background is light,
///      and ink is 255 − v; otherwise ink is v.
///   2. Background. b = the median ink value of the border; ink′ = max(0, ink − b). The peak
///      p = max ink′ must reach `minimumContrast`, or the image has no ink (`DatasetError.noInk`).
/// - A **photo** (any other border: noise, shading, grain) is cleaned up first: denoised,
///   polarity from the local spread of the pixels, the paper's illumination fitted and divided
///   out, the ink found by Otsu's threshold, specks dropped, paper set to 0 and the ink to
///   full range. `photoInk` documents these steps P1–P7, their formulas and parameters.
///
/// Then, for both:
///
/// 3. Crop to the bounding box of the pixels with ink′ ≥ `cropThreshold`·max ink′.
/// 4. Scale the box (w×h) by s = 20 / max(w, h) to round(w·s)×round(h·s) (each side 1…20)
///    with a separable triangle (bilinear) filter whose radius is max(1, 1/s) source pixels,
///    so shrinking averages areas (anti-aliasing) and enlarging interpolates.
/// 5. Centre: the centre of mass (x̄, ȳ) = Σ v·(x, y) / Σ v (pixel indices) is moved to
///    `centre` by a shift (dx, dy) = centre − (x̄, ȳ), clamped so that the box stays inside
///    the 28×28 field, and output pixel (X, Y) is the bilinear interpolation of the box at
///    (X − dx, Y − dy). MNIST shifted by whole pixels; the fractional shift puts every digit's
///    centre exactly where MNIST's average (14.0, 14.0), which makes the result much less
///    sensitive to how the digit was drawn (worst correlation with MNIST's own rendering of a
///    digit 0.84 instead of 0.64 over 300 test digits redrawn at 2× and 2.5×). Finally the
///    values are stretched so that the largest is 255, as in MNIST.
///
/// The bounding-box threshold 0.2 was chosen the same way: MNIST's digits have a largest
/// side of exactly 20 pixels even counting only pixels above 100/255.
public enum MNISTPreprocessing {
    /// The output side, 28.
    public static let side = 28
    /// The side of the box the digit is scaled into, 20.
    public static let box = 20
    /// Where the centre of mass goes, in pixel indices (column, row): the mean over MNIST's
    /// 60 000 training digits is (14.007, 13.996); the geometric centre would be (13.5, 13.5).
    public static let centre = (x: 14.0, y: 14.0)
    /// The smallest peak ink′ (out of 255) that counts as a drawing in a clean picture.
    public static let minimumContrast = 32
    /// The fraction of the peak above which a pixel counts for the bounding box.
    public static let cropThreshold: Float = 0.2

    /// The 28×28 MNIST-style version of `image` (ink high, background 0).
    /// Throws `DatasetError.noInk` if nothing is drawn.
    public static func prepare(_ image: GrayImage) throws -> GrayImage {
        let ink = try ink(of: image)
        return fitted(ink, in: ink.box(threshold: cropThreshold * ink.peak))
    }

    /// ink′ of every pixel of `image`: steps 1–2 for a clean picture, P1–P7 for a photo.
    static func ink(of image: GrayImage) throws -> InkImage {
        hasFlatBorder(image) ? try cleanInk(image) : try photoInk(image)
    }

    /// The pixels of the image's outer rows and columns (corners twice).
    static func border(of image: GrayImage) -> [UInt8] {
        var border: [UInt8] = []
        for x in 0..<image.width { border += [image[x, 0], image[x, image.height - 1]] }
        for y in 0..<image.height { border += [image[0, y], image[image.width - 1, y]] }
        return border
    }

    /// Whether more than half of the border pixels have exactly the border's median value,
    /// as the background of a drawing or a canvas has, and no photo or scan has.
    static func hasFlatBorder(_ image: GrayImage) -> Bool {
        let border = border(of: image)
        let median = border.sorted()[border.count / 2]
        return 2 * border.filter { $0 == median }.count > border.count
    }

    /// Steps 1 and 2: ink′ for each byte value, looked up for every pixel.
    static func cleanInk(_ image: GrayImage) throws -> InkImage {
        let border = border(of: image)
        let lightBackground = Double(border.reduce(0) { $0 + Int($1) }) / Double(border.count) > 127.5
        let inkOf: (UInt8) -> Int = { lightBackground ? 255 - Int($0) : Int($0) }
        let background = border.map(inkOf).sorted()[border.count / 2]
        let table = (0...255).map { Float(max(0, inkOf(UInt8($0)) - background)) }
        let ink = InkImage(width: image.width, height: image.height, values: image.pixels.map { table[Int($0)] })
        guard ink.peak >= Float(minimumContrast) else { throw DatasetError.noInk }
        return ink
    }

    /// Steps 4 and 5: the part of `ink` inside `crop`, fitted into 20×20 and centred in 28×28.
    static func fitted(_ ink: InkImage, in crop: InkImage.Box) -> GrayImage {
        let width = crop.width, height = crop.height
        let scale = Double(box) / Double(max(width, height))
        let newWidth = min(box, max(1, Int((Double(width) * scale).rounded())))
        let newHeight = min(box, max(1, Int((Double(height) * scale).rounded())))

        // Horizontal pass, then vertical.
        let columns = filterTaps(from: width, to: newWidth)
        var wide = [Float](repeating: 0, count: height * newWidth)
        for y in 0..<height {
            let row = (crop.top + y) * ink.width + crop.left
            for (x, taps) in columns.enumerated() {
                var sum: Float = 0
                for (i, weight) in taps { sum += weight * ink.values[row + i] }
                wide[y * newWidth + x] = sum
            }
        }
        let rows = filterTaps(from: height, to: newHeight)
        var small = [Float](repeating: 0, count: newHeight * newWidth)
        for (y, taps) in rows.enumerated() {
            for x in 0..<newWidth {
                var sum: Float = 0
                for (i, weight) in taps { sum += weight * wide[i * newWidth + x] }
                small[y * newWidth + x] = sum
            }
        }
        return centred(small, width: newWidth, height: newHeight)
    }

    /// For each of `outputs` samples, the source indices and normalised weights of a
    /// triangle filter of radius max(1, inputs/outputs) centred at (o + ½)·inputs/outputs − ½.
    static func filterTaps(from inputs: Int, to outputs: Int) -> [[(Int, Float)]] {
        let step = Double(inputs) / Double(outputs)
        let radius = max(1, step)
        return (0..<outputs).map { o in
            let centre = (Double(o) + 0.5) * step - 0.5
            let first = max(0, Int((centre - radius).rounded(.up)))
            let last = min(inputs - 1, Int((centre + radius).rounded(.down)))
            var taps: [(Int, Float)] = []
            for i in first...max(first, last) {
                let weight = max(0, 1 - abs(Double(i) - centre) / radius)
                if weight > 0 { taps.append((i, Float(weight))) }
            }
            if taps.isEmpty { taps = [(min(inputs - 1, max(0, Int(centre.rounded()))), 1)] }
            let total = taps.reduce(Float(0)) { $0 + $1.1 }
            return taps.map { ($0.0, $0.1 / total) }
        }
    }

    /// Places `small` in the 28×28 field (step 5) and stretches it to a peak of 255.
    private static func centred(_ small: [Float], width: Int, height: Int) -> GrayImage {
        var mass: Double = 0, sumX: Double = 0, sumY: Double = 0
        for y in 0..<height {
            for x in 0..<width {
                let v = Double(small[y * width + x])
                mass += v; sumX += v * Double(x); sumY += v * Double(y)
            }
        }
        let shiftX = min(Double(side - width), max(0, centre.x - sumX / mass))
        let shiftY = min(Double(side - height), max(0, centre.y - sumY / mass))
        var field = [Float](repeating: 0, count: side * side)
        func at(_ x: Int, _ y: Int) -> Float { x >= 0 && x < width && y >= 0 && y < height ? small[y * width + x] : 0 }
        for Y in 0..<side {
            for X in 0..<side {
                let u = Double(X) - shiftX, v = Double(Y) - shiftY
                let x0 = Int(u.rounded(.down)), y0 = Int(v.rounded(.down))
                let fx = Float(u - Double(x0)), fy = Float(v - Double(y0))
                let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
                let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
                field[Y * side + X] = top * (1 - fy) + bottom * fy
            }
        }
        let peak = field.max()!
        let pixels = field.map { UInt8(min(255, max(0, (255 * $0 / peak).rounded()))) }
        return GrayImage(width: side, height: side, pixels: pixels)
    }
}

/// ink′ of every pixel of a picture (0 = background, larger = more ink), row by row as in
/// `GrayImage`: what steps 1–2 or P1–P7 of `MNISTPreprocessing` make, and steps 3–5 crop,
/// scale and centre.
struct InkImage {
    let width: Int
    let height: Int
    let values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "\(values.count) values are not \(width)×\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// The largest ink′; positive once the picture has passed the no-ink checks.
    var peak: Float { values.max()! }

    /// A rectangle of pixels: columns left..<left + width, rows top..<top + height.
    struct Box: Equatable {
        var left: Int, top: Int, width: Int, height: Int
    }

    /// Step 3: the bounding box of the pixels with ink′ ≥ `threshold` (at least one must be).
    func box(threshold: Float) -> Box {
        var left = width, right = -1, top = height, bottom = -1
        for y in 0..<height {
            for x in 0..<width where values[y * width + x] >= threshold {
                left = min(left, x); right = max(right, x); top = min(top, y); bottom = max(bottom, y)
            }
        }
        precondition(right >= left, "no pixel reaches the crop threshold \(threshold)")
        return Box(left: left, top: top, width: right - left + 1, height: bottom - top + 1)
    }
}
