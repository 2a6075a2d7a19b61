/**
 * The limits on a request's head. nginx refuses a request line longer than its large header buffer
 * (16 KiB, deployment/nginx.conf.template) with 414 and passes shorter ones on, so the instance's
 * 8 KiB is the limit a client meets at every layer; Node's parser refuses a head over 16 KiB
 * (its default --max-http-header-size). Node itself only counts header fields to truncate them
 * silently past 2000; here more than 100 are refused, as a proxy's own fields (nginx adds five)
 * count too.
 */
export const REQUEST_LIMITS = { targetBytes: 8192, headBytes: 16_384, headerFields: 100 } as const;
