export {
  divFloor,
  divRound,
  gaussianQ,
  getGaussianTable,
  getSinTable,
  getTanhTable,
  isqrt,
  ONE as Q12_ONE,
  sigmoidQ,
  sinQ,
  tanhQ,
} from './intMath.js';
export {
  InvalidMarketInputError,
  MARKET_FEATURES,
  type MarketForecast,
  type MarketRegime,
  type MarketState,
  marketFeatures,
  marketStateFromRounds,
  type OracleRound,
} from './marketState.js';
export {
  type ArtworkMetadata,
  type ArtworkMetadataParameters,
  artworkMetadata,
  artworkMetadataBytes,
  marketPrompt,
  type NftAttribute,
} from './metadata.js';
export {
  createGeneratorModel,
  GENERATOR_ALGORITHM,
  GENERATOR_INPUTS,
  GENERATOR_OUTPUTS,
  GENERATOR_V1,
  GENERATOR_V1_SEED_TEXT,
  InvalidGeneratorModelError,
  LATENT_DIMS,
  validateGeneratorModel,
} from './model.js';
export { ART_SEED_DOMAIN, artSeed, latentVector, Xoshiro128 } from './prng.js';
export {
  type Artwork,
  coordinateZoom,
  DEFAULT_SIZE,
  encodePng,
  InvalidRenderParametersError,
  MAX_SIZE,
  PNG_ENCODING,
  type RenderParameters,
  type RenderResult,
  renderArtwork,
  renderRgb,
} from './render.js';
