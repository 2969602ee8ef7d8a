import Datasets

/// Pearson's correlation of two equally long pixel arrays.
func correlation(_ a: [UInt8], _ b: [UInt8]) -> Double {
    let x = a.map(Double.init), y = b.map(Double.init)
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in 0..<x.count {
        sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my)
    }
    return sxy / (sxx * syy).squareRoot()
}

/// `image` enlarged by `factor` with bilinear interpolation (written here, independently of
/// the module), pasted at (`left`, `top`) on a `width`×`height` canvas of `background`.
func render(_ image: GrayImage, factor: Double, width: Int, height: Int, left: Int, top: Int,
            background: UInt8 = 0) -> GrayImage {
    var pixels = [UInt8](repeating: background, count: width * height)
    let side = Int((Double(image.width) * factor).rounded())
    for y in 0..<side {
        for x in 0..<side {
            let sx = min(max((Double(x) + 0.5) / factor - 0.5, 0), Double(image.width - 1))
            let sy = min(max((Double(y) + 0.5) / factor - 0.5, 0), Double(image.height - 1))
            let x0 = Int(sx), y0 = Int(sy), x1 = min(x0 + 1, image.width - 1), y1 = min(y0 + 1, image.height - 1)
            let fx = sx - Double(x0), fy = sy - Double(y0)
            let top0 = Double(image[x0, y0]) * (1 - fx) + Double(image[x1, y0]) * fx
            let bottom0 = Double(image[x0, y1]) * (1 - fx) + Double(image[x1, y1]) * fx
            pixels[(y + top) * width + x + left] = UInt8((top0 * (1 - fy) + bottom0 * fy).rounded())
        }
    }
    return GrayImage(width: width, height: height, pixels: pixels)
}

/// Round-capped pen strokes (segments from (x0, y0) to (x1, y1)), `width` pixels wide, in
/// `ink` on a `side`×`side` canvas of `background`, anti-aliased over one pixel as a canvas
/// draws them: coverage = clamp(width/2 + ½ − distance to the nearest segment, 0, 1).
func strokes(_ segments: [(Double, Double, Double, Double)], width: Double, side: Int,
             ink: UInt8 = 255, background: UInt8 = 0) -> GrayImage {
    var pixels = [UInt8](repeating: background, count: side * side)
    for y in 0..<side {
        for x in 0..<side {
            let px = Double(x) + 0.5, py = Double(y) + 0.5
            var distance = Double.infinity
            for (x0, y0, x1, y1) in segments {
                let dx = x1 - x0, dy = y1 - y0
                let t = min(1, max(0, ((px - x0) * dx + (py - y0) * dy) / max(dx * dx + dy * dy, 1e-12)))
                distance = min(distance, ((px - x0 - t * dx) * (px - x0 - t * dx) + (py - y0 - t * dy) * (py - y0 - t * dy)).squareRoot())
            }
            let coverage = min(1, max(0, width / 2 + 0.5 - distance))
            pixels[y * side + x] = UInt8((Double(background) + coverage * (Double(ink) - Double(background))).rounded())
        }
    }
    return GrayImage(width: side, height: side, pixels: pixels)
}
