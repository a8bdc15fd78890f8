/**
 * A tracer that keeps every span it starts, for tests that assert span names and attributes (and that nothing
 * secret reaches them).
 */
import { Effect, Tracer } from "effect"

export const recordingTracer = Effect.map(Effect.tracerWith(Effect.succeed), (native) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: native.context
  })
  return { spans, tracer }
})
