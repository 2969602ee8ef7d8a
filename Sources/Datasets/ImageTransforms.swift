/// Geometric and stroke-width transforms of one grey image of `height`×`width` pixels, row
/// by row, ink high (MNIST's polarity: 0 is background). The training engine's augmentation
/// and the robustness variations of `digits evaluate` are both made of these.
///
/// All arithmetic is scalar `Float` in a fixed order (no fused multiply-add, no vector
/// reductions), so a transform gives the same bits on every machine and thread.
public enum ImageTransforms {
    /// Where each output pixel is read from: for output pixel (x, y), with c = ((w − 1)/2, (h − 1)/2),
    ///
    ///     (sx, sy) = M·(x − cx, y − cy) + (cx, cy) + (tx, ty) + (dx(x, y), dy(x, y))
    ///
    /// with M = [[m00, m01], [m10, m11]] and d an optional displacement field (`[h·w]` each).
    /// M is the inverse of the transform applied to the digit: to rotate the digit by θ, M is
    /// the rotation by −θ.
    public struct InverseMap: Equatable, Sendable {
        public var m00: Float, m01: Float, m10: Float, m11: Float
        public var tx: Float, ty: Float

        public init(m00: Float = 1, m01: Float = 0, m10: Float = 0, m11: Float = 1, tx: Float = 0, ty: Float = 0) {
            (self.m00, self.m01, self.m10, self.m11, self.tx, self.ty) = (m00, m01, m10, m11, tx, ty)
        }

        public static let identity = InverseMap()

        /// The inverse map of: scale by (sx, sy), then shear x by `shear` (x′ = x + shear·y),
        /// then rotate by `radians` (clockwise on screen, y pointing down), then translate by
        /// (tx, ty) pixels. A = R·H·S, so M = A⁻¹ = S⁻¹·H⁻¹·R⁻¹, and the translation is undone
        /// before it: (sx, sy) = M·(p − c − t) + c.
        public static func digit(rotation radians: Double = 0, scaleX: Double = 1, scaleY: Double = 1, shear: Double = 0,
                                 tx: Double = 0, ty: Double = 0) -> InverseMap {
            let c = cos(radians), s = sin(radians)
            // R⁻¹ = [[c, s], [−s, c]]; H⁻¹ = [[1, −shear], [0, 1]]; S⁻¹ = diag(1/sx, 1/sy).
            let h00 = c + (-shear) * (-s), h01 = s + (-shear) * c, h10 = -s, h11 = c
            let m00 = h00 / scaleX, m01 = h01 / scaleX, m10 = h10 / scaleY, m11 = h11 / scaleY
            return InverseMap(m00: Float(m00), m01: Float(m01), m10: Float(m10), m11: Float(m11),
                              tx: Float(-(m00 * tx + m01 * ty)), ty: Float(-(m10 * tx + m11 * ty)))
        }
    }

    /// out(x, y) = the bilinear interpolation of `source` at `map`'s (sx, sy), 0 outside the
    /// image; rounded to the nearest integer. `scratch` holds `paddedCount(height:width:)`
    /// floats: the source with a border of zeros, so that the sampling needs no bounds checks.
    public static func warp(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>,
                            height: Int, width: Int, map: InverseMap,
                            displacement: (dx: UnsafePointer<Float>, dy: UnsafePointer<Float>)? = nil,
                            scratch padded: UnsafeMutablePointer<Float>) {
        let border = 2, stride = width + 2 * border
        padded.update(repeating: 0, count: paddedCount(height: height, width: width))
        for y in 0..<height {
            for x in 0..<width { padded[(y + border) * stride + x + border] = Float(source[y * width + x]) }
        }
        let cx = Float(width - 1) / 2, cy = Float(height - 1) / 2
        for y in 0..<height {
            let v = Float(y) - cy
            for x in 0..<width {
                let u = Float(x) - cx
                var sx = map.m00 * u + map.m01 * v + cx + map.tx
                var sy = map.m10 * u + map.m11 * v + cy + map.ty
                if let displacement {
                    sx += displacement.dx[y * width + x]
                    sy += displacement.dy[y * width + x]
                }
                // Beyond the border (and NaN): background; within it the four neighbours are
                // all in the padded image.
                guard sx > -2, sy > -2, sx < Float(width + 1), sy < Float(height + 1) else {
                    destination[y * width + x] = 0
                    continue
                }
                let x0 = floorToInt(sx), y0 = floorToInt(sy)
                let fx = sx - Float(x0), fy = sy - Float(y0)
                let p = padded + (y0 + border) * stride + x0 + border
                let top = p[0] * (1 - fx) + p[1] * fx
                let bottom = p[stride] * (1 - fx) + p[stride + 1] * fx
                let value = top * (1 - fy) + bottom * fy
                destination[y * width + x] = byte(value)
            }
        }
    }

    /// `UInt8(min(255, max(0, value.rounded())))`: to the nearest, halves away from zero, in
    /// 0…255. Swift makes `rounded()` and `rounded(.down)` calls into libm (`roundf`, `floorf`:
    /// a fifth of the augmentation's time); truncating by a conversion is inline, and the fraction
    /// left, `v − trunc(v)`, is exact, so these give the same bits (checked for every float in
    /// −300…300).
    @inline(__always) static func byte(_ value: Float) -> UInt8 {
        let v = min(255, max(0, value))
        let whole = Float(Int32(v))
        return UInt8(v - whole >= 0.5 ? whole + 1 : whole)
    }

    /// `Int(value.rounded(.down))` for |value| < 2³¹ (see `byte`).
    @inline(__always) static func floorToInt(_ value: Float) -> Int {
        let whole = Int(value)
        return Float(whole) > value ? whole - 1 : whole
    }

    /// The floats `warp` needs as scratch: the image with a border of 2 on every side.
    public static func paddedCount(height: Int, width: Int) -> Int { (height + 4) * (width + 4) }

    /// Grey-level dilation (`thicker`) or erosion by a 3×3 cross (the pixel and its four
    /// neighbours): each pass grows or shrinks every stroke by one pixel on each side.
    /// `amount` passes, the last one blended by its fraction: out = a + f·(b − a) for
    /// a = after ⌊amount⌋ passes, b = after one more, f = amount − ⌊amount⌋.
    /// `scratch` holds `height·width` bytes.
    public static func stroke(_ image: UnsafeMutablePointer<UInt8>, height: Int, width: Int, thicker: Bool, amount: Float,
                              scratch: UnsafeMutablePointer<UInt8>) {
        guard amount > 0 else { return }
        let whole = Int(amount.rounded(.down)), fraction = amount - Float(whole)
        for _ in 0..<whole {
            crossPass(image, into: scratch, height: height, width: width, thicker: thicker)
            image.update(from: scratch, count: height * width)
        }
        guard fraction > 0 else { return }
        crossPass(image, into: scratch, height: height, width: width, thicker: thicker)
        for i in 0..<(height * width) {
            let a = Float(image[i]), b = Float(scratch[i])
            image[i] = byte(a + fraction * (b - a))
        }
    }

    /// One pass: the max (or min) of each pixel and its 4-neighbours, out of bounds as 0.
    static func crossPass(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>,
                          height: Int, width: Int, thicker: Bool) {
        for y in 0..<height {
            for x in 0..<width {
                let centre = source[y * width + x]
                let left = x > 0 ? source[y * width + x - 1] : 0
                let right = x + 1 < width ? source[y * width + x + 1] : 0
                let up = y > 0 ? source[(y - 1) * width + x] : 0
                let down = y + 1 < height ? source[(y + 1) * width + x] : 0
                destination[y * width + x] = thicker ? max(centre, left, right, up, down) : min(centre, left, right, up, down)
            }
        }
    }

    /// Smooths `field` (`height`×`width`) in place with an approximate Gaussian of standard
    /// deviation σ: three box blurs along each axis (Wells 1986; widths from Kovesi 2010: m
    /// boxes of the odd width w₁ ≤ √(4σ² + 1) and 3 − m of w₁ + 2, m = round((12σ² − 3w₁² −
    /// 12w₁ − 9) / (−4w₁ − 4)); for σ = 4 that is 7, 7 and 9, an effective σ of √(176/12) ≈
    /// 3.83). Beyond the edges the field counts as 0, so that a displacement fades towards
    /// the border as in Simard et al. 2003. A box is a difference of running sums, so the
    /// blur costs the same for any σ: about a tenth of the exact 25-tap Gaussian at σ = 4.
    /// `scratch` holds `max(height, width) + 1` floats.
    public static func gaussianBlur(_ field: UnsafeMutablePointer<Float>, height: Int, width: Int, sigma: Float,
                                    scratch: UnsafeMutablePointer<Float>) {
        for box in boxWidths(sigma: sigma) {
            for y in 0..<height { boxPass(field + y * width, count: width, stride: 1, width: box, sums: scratch) }
            for x in 0..<width { boxPass(field + x, count: height, stride: width, width: box, sums: scratch) }
        }
    }

    /// The three box widths whose convolution approximates a Gaussian of σ.
    static func boxWidths(sigma: Float) -> [Int] {
        let variance = 12 * Double(sigma) * Double(sigma)
        var low = Int((variance / 3 + 1).squareRoot().rounded(.down))
        if low % 2 == 0 { low -= 1 }
        low = max(1, low)
        let m = Int(((variance - Double(3 * low * low) - Double(12 * low) - 9) / Double(-4 * low - 4)).rounded())
        return (0..<3).map { $0 < m ? low : low + 2 }
    }

    /// out[i] = (1/w) Σ in[i + k], |k| ≤ (w − 1)/2, over `count` values `stride` apart, 0 outside.
    static func boxPass(_ values: UnsafeMutablePointer<Float>, count: Int, stride: Int, width: Int, sums: UnsafeMutablePointer<Float>) {
        let radius = (width - 1) / 2, scale = 1 / Float(width)
        sums[0] = 0
        for i in 0..<count { sums[i + 1] = sums[i] + values[i * stride] }
        for i in 0..<count {
            values[i * stride] = (sums[min(i + radius + 1, count)] - sums[max(i - radius, 0)]) * scale
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
