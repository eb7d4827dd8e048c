import { describe, expect, it } from 'vitest'
import { cronScheduleError } from '../../../src/registry/batch/cron-schedule.js'

describe('cronScheduleError', () => {
  it('accepts standard schedules, names and descriptors', () => {
    for (const s of ['*/1 * * * *', '0 0 * * *', '5,10-20/5 1 1 jan-mar mon', '0 0 1 * sun', '@hourly', '@every 1h30m']) {
      expect(cronScheduleError(s), s).toBeUndefined()
    }
  })

  it('reports robfig/cron error texts', () => {
    expect(cronScheduleError('* * *')).toBe('expected exactly 5 fields, found 3: [* * *]')
    expect(cronScheduleError('60 * * * *')).toBe('end of range (60) above maximum (59): 60')
    expect(cronScheduleError('* * 0 * *')).toBe('beginning of range (0) below minimum (1): 0')
    expect(cronScheduleError('x * * * *')).toBe('failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax')
    expect(cronScheduleError('5-1 * * * *')).toBe('beginning of range (5) beyond end of range (1): 5-1')
    expect(cronScheduleError('*/0 * * * *')).toBe('step of range should be a positive number: */0')
    expect(cronScheduleError('@fortnightly')).toBe('unrecognized descriptor: @fortnightly')
  })
})
